// Browser test of the majlis web archive: Debian's chromium driven by
// playwright-core. Opens the group list, a group and a thread in French
// and Arabic, checks language, direction, the style sheet, folding without
// JavaScript, keyboard access and that the page loads nothing blocked,
// and saves screenshots. Usage: node pages.mjs BASE_URL ARTEFACT_DIR PATH...
// Exit status 0 when every check passed.
import path from 'node:path';
import { checker, launch, watch } from './browse.mjs';

const [base, artefacts, ...paths] = process.argv.slice(2);
const { failures, check } = checker('');

const { ctx, close } = await launch();
try {
	const page = ctx.pages()[0] || await ctx.newPage();
	const problems = [];
	page.on('console', m => { if (m.type() === 'error') problems.push(m.text()); });
	watch(page, base, problems);
	for (const [lang, dir] of [['fr', 'ltr'], ['ar', 'rtl']]) {
		await page.setExtraHTTPHeaders({ 'Accept-Language': lang });
		for (const [width, tag] of [[1100, 'desktop'], [390, 'mobile']]) {
			await page.setViewportSize({ width, height: 900 });
			for (const p of paths) {
				problems.length = 0;
				const name = `${lang}-${tag}-${p === '/' ? 'index' :
				    p.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`;
				const resp = await page.goto(base + p, { waitUntil: 'load' });
				check(resp.status() === 200, `${name}: status 200`);
				const html = await page.$eval('html', e => [e.lang, e.dir]);
				check(html[0] === lang && html[1] === dir,
				    `${name}: <html lang="${lang}" dir="${dir}"> (${html})`);
				const border = await page.$eval('header.site',
				    e => getComputedStyle(e).borderBottomWidth);
				check(border !== '0px', `${name}: style sheet applied`);
				const overflow = await page.evaluate(() =>
				    document.documentElement.scrollWidth <=
				    document.documentElement.clientWidth + 1);
				check(overflow, `${name}: no horizontal scrolling`);
				check(problems.length === 0,
				    `${name}: nothing blocked or failed ${problems.join('; ')}`);
				await page.screenshot({ path: path.join(artefacts,
				    `browser-${name}.png`), fullPage: true });
				await page.keyboard.press('Tab');
				const focused = await page.evaluate(() =>
				    document.activeElement && document.activeElement.className);
				check(focused === 'skip', `${name}: Tab reaches the skip link`);
				await page.keyboard.press('Escape');
				await page.evaluate(() => document.activeElement.blur());
				if (await page.$('details.quote') !== null) {
					const before = await page.$eval('details.quote', d => d.open);
					await page.click('details.quote > summary');
					const after = await page.$eval('details.quote', d => d.open);
					check(!before && after,
					    `${name}: quoted text folded, opens without script`);
					await page.screenshot({ path: path.join(artefacts,
					    `browser-${name}-open.png`), fullPage: true });
				}
			}
		}
	}
} finally {
	await close();
}
console.log(`${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
