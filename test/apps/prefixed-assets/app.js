// Loaded after React and before the renderer (Dash's order); adds to dash_clientside without replacing it.
window.assetsSaw = { react: typeof window.React, renderer: typeof window.DashRenderer };
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  assets: { shout: (text) => String(text).toUpperCase() },
});
