// The download button links the page's .ipynb: make it a download, so that a host
// serving notebooks as JSON does not open them as text.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll('a[href$=".ipynb"]').forEach(function (link) {
    link.setAttribute("download", link.getAttribute("href").split("/").pop());
  });
});
