// Starts Swagger UI on the API documentation page. A file rather than an inline script: the CSP allows only ours.
const root = document.getElementById("swagger-ui");
if (root && window.SwaggerUIBundle) {
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    // No links inside the operations' toggle buttons (axe: nested-interactive).
    deepLinking: false,
    // No badge from the public validator: the page loads nothing from elsewhere.
    validatorUrl: null,
  });
}
