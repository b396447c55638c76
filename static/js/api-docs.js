// Starts Swagger UI on the API reference page (an external file: the CSP allows no inline
// script). The document's address comes from the page. Swagger UI draws some controls without
// a name and scrolling code boxes a keyboard cannot reach; they are named and made focusable
// as they appear.
(() => {
  const nameControls = (root) => {
    root.querySelectorAll("select:not([aria-label])").forEach((select) => {
      const row = select.closest("tr[data-param-name]");
      if (row) select.setAttribute("aria-label", row.dataset.paramName);
      else if (select.id === "servers") select.setAttribute("aria-label", "Server");
      else select.setAttribute("aria-label", "Choice");
    });
    root.querySelectorAll("pre.microlight:not([tabindex])").forEach((pre) => {
      pre.setAttribute("tabindex", "0");
    });
    root.querySelectorAll("button.close-modal:not([aria-label])").forEach((button) => {
      button.setAttribute("aria-label", "Close");
    });
    // A button's spoken name starts with the words it shows (WCAG 2.5.3).
    root.querySelectorAll("button[aria-label]").forEach((button) => {
      const text = button.textContent.trim();
      const label = button.getAttribute("aria-label");
      if (text && !label.toLowerCase().includes(text.toLowerCase())) {
        button.removeAttribute("aria-label");
      }
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("swagger-ui");
    if (!root || typeof SwaggerUIBundle === "undefined") return;
    new MutationObserver(() => nameControls(root)).observe(root, {childList: true, subtree: true});
    SwaggerUIBundle({
      url: root.dataset.specUrl,
      domNode: root,
      deepLinking: false,
      defaultModelsExpandDepth: 0,
    });
  });
})();
