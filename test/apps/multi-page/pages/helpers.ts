// Not a page module: its text never names the page-registering function, so the pages folder
// does not import it (as Dash skips files without `register_page`).
throw new Error('a module that registers no page should not be imported by the pages folder');
