// Comptoir's API explorer: Swagger UI (vendored, Apache-2.0) on the served OpenAPI document.
// The document's URL is the page's data-openapi attribute (no inline script: the page's CSP).
window.addEventListener("load", function () {
  var root = document.getElementById("explorer");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    dom_id: "#explorer",
    deepLinking: true,
    persistAuthorization: true,
  });
});
