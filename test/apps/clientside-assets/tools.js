// A clientside library, as Dash apps ship them in assets/: merged into window.dash_clientside.
window.dash_clientside = window.dash_clientside || {};
window.dash_clientside.tools = {
  shout: (value) => `${value ?? ''}!`,
};
