// On a first visit nothing is saved in localStorage, so the page template sets an empty
// theme mode and the theme logs "Got invalid theme mode" as a console error. Start from
// "auto" (follow the system's light or dark setting) instead.
if (!document.documentElement.dataset.mode) {
  document.documentElement.dataset.mode = "auto";
}
