// Loaded between require.js and the widget manager (embed-amd.js, both in vendor/):
// the manager takes its public path, where it fetches its fonts, from its AMD module
// URL. Map its module id to the vendored folder, relative to this page's content root,
// so that it works from every page, over HTTP and from file://.
require.config({
  paths: {
    "@jupyter-widgets/html-manager/dist": new URL(
      (document.documentElement.dataset.content_root || "./") + "vendor/@jupyter-widgets/html-manager/dist",
      document.baseURI).href
  }
});
