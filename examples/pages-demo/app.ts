/**
 * A station monitor laid out as a Dash pages app: this module makes the app, `pages/` holds one
 * module per page (each calls `registerPage` and exports `layout`, with its own callbacks), and
 * `assets/` the CSS, a clientside library and the logo that link previews show (og:image).
 *
 *   npx dash-ts run examples/pages-demo/app.ts --port 8050
 */
import { Dash, dcc, html, pageContainer } from 'dash-ts';
import { STATIONS } from './stations.ts';

export const app = new Dash({
  title: 'Station monitor',
  description: 'Temperatures from three weather stations',
  usePages: true,
});

// The pages folder is imported now; wait for it to build the navigation from the registry.
const pages = await app.pagesReady();

app.layout = html.Div({
  children: [
    html.Nav({
      className: 'topnav',
      children: [
        ...pages
          .filter((page) => !page.pathTemplate)
          .map((page) => dcc.Link({ href: page.relativePath, children: page.name })),
        ...STATIONS.map((name) =>
          dcc.Link({ href: app.getRelativePath(`/stations/${name}?hours=48`), children: name }),
        ),
      ],
    }),
    pageContainer,
  ],
});

if (import.meta.url === `file://${process.argv[1]}`) {
  await app.run();
}
