// Browser test of an account's life in majlis: Debian's chromium driven by
// playwright-core, without JavaScript. Step "register": the registration
// form. Step "session" (after the test fetched the confirmation link from
// the relay sink): confirm, sign out, sign in, search with French accents
// folded and Arabic normalised, change a group's delivery mode in the
// settings, then on the signed delivery link page of the digests.
// Screenshots account-LANG-*.png go to ARTEFACT_DIR.
// Usage: node account.mjs BASE ARTEFACT_DIR LANG DIR register EMAIL NAME PASSWORD
//        node account.mjs BASE ARTEFACT_DIR LANG DIR session EMAIL PASSWORD
//            CONFIRM_PATH GROUP_ID MODE LINK_PATH LINK_MODE Q1 HIT1 Q2 HIT2
// Exit status 0 when every check passed.
import { browse, checker } from './browse.mjs';

const [base, artefacts, lang, dir, step, ...args] = process.argv.slice(2);
const { failures, check } = checker(lang);

async function html(page, what) {
	const h = await page.$eval('html', e => [e.lang, e.dir]);
	check(h[0] === lang && h[1] === dir,
	    `${what}: <html lang="${lang}" dir="${dir}"> (${h})`);
}

async function submit(page, selector) {
	const [resp] = await Promise.all([page.waitForNavigation(),
	    page.click(selector)]);
	return resp;
}

const signedIn = page => page.$('form[action="/logout"]').then(f => f !== null);

async function register(page, shot, [email, name, password]) {
	const resp = await page.goto(base + '/register');
	check(resp.status() === 200, 'registration page');
	await html(page, 'registration page');
	await page.fill('#name', name);
	await page.fill('#email', email);
	await page.fill('#password', password);
	await shot('register');
	const sent = await submit(page, 'main form.form button[type=submit]');
	check(sent.status() === 200, `registration sent (${sent.status()})`);
	check(await page.$('#password') === null &&
	    await page.$('main h1') !== null,
	    'the form gave way to the "check your mail" page');
	await shot('register-sent');
}

async function search(page, shot, q, hit, name) {
	await page.fill('#site-q', q);
	await Promise.all([page.waitForNavigation(), page.press('#site-q',
	    'Enter')]);
	check(page.url().includes('/search?'), `search ${q} (${page.url()})`);
	const marks = await page.$$eval('main mark', m => m.map(e => e.textContent));
	const text = await page.$eval('main', e => e.textContent);
	check(text.includes(hit) && marks.length > 0,
	    `search "${q}" finds "${hit}" highlighted (${marks.join(', ')})`);
	await shot(name);
}

async function session(page, shot, [email, password, confirm, gid, mode,
    link, linkMode, q1, hit1, q2, hit2]) {
	let resp = await page.goto(base + confirm);
	check(resp.status() === 200, 'confirmation page');
	await html(page, 'confirmation page');
	await shot('confirm');
	await submit(page, 'main form.form button[type=submit]');
	check(await signedIn(page), 'signed in by the confirmation');
	await shot('confirmed');
	await submit(page, 'form[action="/logout"] button[type=submit]');
	check(!await signedIn(page), 'signed out');

	await page.goto(base + '/login');
	await page.fill('#email', email);
	await page.fill('#password', password);
	await submit(page, 'main form.form button[type=submit]');
	check(await signedIn(page), 'signed in with the password');

	await search(page, shot, q1, hit1, 'search-fr');
	await html(page, 'search page');
	await search(page, shot, q2, hit2, 'search-ar');

	resp = await page.goto(base + '/settings');
	check(resp.status() === 200, 'settings page');
	await html(page, 'settings page');
	await page.selectOption(`#delivery-${gid}`, mode);
	await submit(page, 'main form.form button[type=submit]');
	const notice = await page.$('p.notice');
	check(notice !== null, 'settings saved notice');
	await page.goto(base + '/settings');
	const now = await page.$eval(`#delivery-${gid}`, s => s.value);
	check(now === mode, `delivery shown as ${mode} after saving (${now})`);
	await shot('settings');

	// the digest's link, in a browser signed out of nothing in particular
	resp = await page.goto(base + link);
	check(resp.status() === 200, 'delivery link page');
	await html(page, 'delivery link page');
	const cur = await page.$eval('#current', e => e.dataset.mode);
	check(cur === mode, `the link page shows the mode set (${cur})`);
	await page.check(`input[name=delivery][value=${linkMode}]`);
	await shot('delivery-link');
	await submit(page, 'main form button[type=submit]');
	const after = await page.$eval('#mode', e => e.dataset.mode)
	    .catch(() => null);
	check(after === linkMode, `the link page changed it (${after})`);
	await shot('delivery-link-saved');
}

await browse({ base, artefacts, prefix: 'account', lang,
    acceptLanguage: lang }, check, async (page, shot) => {
	if (step === 'register')
		await register(page, shot, args);
	else if (step === 'session')
		await session(page, shot, args);
	else
		check(false, 'unknown step ' + step);
});
process.exit(failures.length ? 1 : 0);
