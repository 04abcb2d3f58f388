// Progressive enhancement only: every page works without this file.
// 1. "/" moves focus to the search box (unless you are typing in a field).
// 2. A submitted form says it is busy (some answers, like model previews, take seconds).
document.addEventListener("keydown", (event) => {
  const active = document.activeElement;
  const typing = active instanceof HTMLInputElement || active instanceof HTMLSelectElement ||
    active instanceof HTMLTextAreaElement;
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    const search = document.getElementById("site-q");
    if (search) {
      event.preventDefault();
      search.focus();
    }
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement) {
    form.setAttribute("aria-busy", "true");
  }
});
