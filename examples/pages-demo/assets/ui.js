// Clientside functions for app.clientsideCallback(new ClientsideFunction('ui', ...)).
// Asset scripts load before the renderer; add to window.dash_clientside, never replace it.
window.dash_clientside = window.dash_clientside || {};
window.dash_clientside.ui = {
  countChars: (text) => `${(text || '').length} / 140 characters`,
};
