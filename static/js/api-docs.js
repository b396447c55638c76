// Starts Swagger UI on the API reference page (an external file: the CSP allows no inline
// script). The document's address comes from the page.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") return;
  SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: false,
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
  });
});
