// What the browser tests share: Debian's chromium driven by playwright-core
// with a throw-away profile and JavaScript off (as for a reader who
// disabled it), "ok"/"not ok" check lines, and one scenario run on a phone
// sized page that must load nothing from outside the site and nothing that
// fails, with screenshots PREFIX-LANG-NAME.png in the artefact directory.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// check(ok, what) prints a TAP-like line and remembers failures.
export function checker(label) {
	const failures = [];
	const check = (ok, what) => {
		if (!ok)
			failures.push(what);
		console.log(`${ok ? 'ok' : 'not ok'} - ${label ? label + ': ' : ''}${what}`);
	};
	return { failures, check };
}

// A chromium context on a fresh profile; close() removes the profile.
export async function launch() {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'majlis-chromium-'));
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		javaScriptEnabled: false,
		args: ['--headless', '--no-sandbox', '--disable-gpu',
		    '--disable-background-networking', '--disable-component-update',
		    '--disable-sync', '--no-first-run'],
	});
	const close = async () => {
		await ctx.close();
		fs.rmSync(profile, { recursive: true, force: true });
	};
	return { ctx, close };
}

// Record requests that fail or leave the site on page into problems.
export function watch(page, base, problems) {
	page.on('requestfailed', r => problems.push('failed: ' + r.url()));
	page.on('request', r => {
		if (!r.url().startsWith(base))
			problems.push('outside request: ' + r.url());
	});
}

// Run scenario(page, shot) and check that it ran to its end with nothing
// blocked or failed. acceptLanguage is sent when given (a scenario that
// picks its language in the settings leaves it out).
export async function browse({ base, artefacts, prefix, lang, acceptLanguage },
    check, scenario) {
	const { ctx, close } = await launch();
	try {
		const page = ctx.pages()[0] || await ctx.newPage();
		const problems = [];
		watch(page, base, problems);
		if (acceptLanguage)
			await page.setExtraHTTPHeaders({ 'Accept-Language': acceptLanguage });
		await page.setViewportSize({ width: 390, height: 900 });
		const shot = name => page.screenshot({ fullPage: true,
		    path: path.join(artefacts, `${prefix}-${lang}-${name}.png`) });
		await scenario(page, shot);
		check(problems.length === 0, `nothing blocked or failed ${problems}`);
	} catch (e) {
		check(false, 'scenario ran to its end: ' + e.message);
	} finally {
		await close();
	}
}
