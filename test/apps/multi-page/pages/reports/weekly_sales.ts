import { html, registerPage } from '../../../../../src/index.ts';

// Nested: module pages.reports.weekly_sales, path /reports/weekly-sales, name "Weekly sales".
registerPage({ id: 'weekly_sales' });

export const layout = html.Div({ id: 'text_weekly_sales', children: 'text for weekly_sales' });
