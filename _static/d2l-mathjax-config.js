// MathJax 3 configuration, set before the (deferred) vendored MathJax loads.
// The book's TeX macros live here (merged into the options MyST sets), with one shim: ipywidgets' embed code calls
// MathJax 2's `MathJax.Hub.Queue` to typeset widget labels, which throws under
// MathJax 3 (ipywidgets#3829). The shim typesets with MathJax 3's API instead.
(function () {
  function typeset() {
    if (window.MathJax && typeof window.MathJax.typesetPromise === "function") {
      window.MathJax.typesetPromise().catch(function () {});
    }
  }
  var hub = { Queue: function () { typeset(); }, Config: function () {} };
  // Merge into what Sphinx/MyST set before this script (the classes MathJax processes).
  var config = window.MathJax || {};
  window.MathJax = config;
  Object.assign(config, {
    tex: {
      macros: {
        R: "\\mathbb{R}",
        bx: "\\mathbf{x}",
        by: "\\mathbf{y}",
        bw: "\\mathbf{w}",
        bX: "\\mathbf{X}",
        bA: "\\mathbf{A}"
      }
    },
    Hub: hub,
    startup: {
      ready: function () {
        window.MathJax.startup.defaultReady();
        window.MathJax.Hub = hub;  // MathJax 3 replaced the object: put the shim back
      }
    }
  });
})();
