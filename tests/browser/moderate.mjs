// Browser test of a moderator's work in majlis: Debian's chromium driven by
// playwright-core, without JavaScript. Sign in, choose the interface
// language in the settings, open the held queue, approve one message,
// reject another with a reason, then from the thread page lock the thread
// and move it to another group. The caller checks the database afterwards.
// Screenshots moderate-LANG-*.png go to ARTEFACT_DIR.
// Usage: node moderate.mjs BASE ARTEFACT_DIR LANG DIR EMAIL PASSWORD
//            HELD_APPROVE HELD_REJECT REASON THREAD_PATH TARGET_SLUG
// Exit status 0 when every check passed.
import { browse, checker } from './browse.mjs';

const [base, artefacts, lang, dir, email, password, approveId, rejectId,
    reason, threadPath, target] = process.argv.slice(2);
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

async function scenario(page, shot) {
	await page.goto(base + '/login');
	await page.fill('#email', email);
	await page.fill('#password', password);
	await submit(page, 'main form.form button[type=submit]');
	check(await page.$('form[action="/logout"]') !== null, 'signed in');
	await page.goto(base + '/settings');
	await page.selectOption('#lang', lang);
	await submit(page, 'form[action="/settings"] button[type=submit]');

	let resp = await page.goto(base + '/mod');
	check(resp.status() === 200, 'the held queue');
	await html(page, 'the held queue');
	for (const id of [approveId, rejectId])
		check(await page.$(`a[href="/mod/held/${id}"]`) !== null,
		    `held message ${id} listed`);
	await shot('queue');

	await page.goto(base + `/mod/held/${approveId}`);
	await html(page, 'a held message');
	await shot('held');
	resp = await submit(page, 'button[name=action][value=approve]');
	check(resp.status() === 200 && new URL(page.url()).pathname === '/mod',
	    `approved, back at the queue (${page.url()})`);
	check(await page.$(`a[href="/mod/held/${approveId}"]`) === null,
	    'the approved message left the queue');

	await page.goto(base + `/mod/held/${rejectId}`);
	await page.fill('#reason', reason);
	await shot('reject');
	resp = await submit(page, 'button[name=action][value=reject]');
	check(resp.status() === 200, `rejected (${resp.status()})`);
	check(await page.$(`a[href="/mod/held/${rejectId}"]`) === null,
	    'the rejected message left the queue');
	await shot('queue-after');

	await page.goto(base + threadPath);
	await html(page, 'the thread page');
	const id = threadPath.split('/').pop();
	check(await page.$(`a[href="/mod/thread/${id}/move"]`) !== null,
	    'the thread page links to the move');
	await shot('thread');
	await submit(page, `a[href="/mod/thread/${id}"]`);
	resp = await submit(page, 'button[name=action][value=lock]');
	check(resp.status() === 200, `locked (${resp.status()})`);
	check(await page.$('button[name=action][value=unlock]') !== null,
	    'the page now offers to unlock');
	await shot('locked');

	await page.goto(base + threadPath);
	await submit(page, `a[href="/mod/thread/${id}/move"]`);
	await html(page, 'the move page');
	await page.selectOption('#group', target);
	await shot('move');
	resp = await submit(page, 'main form.form button');
	check(resp.status() === 200 &&
	    page.url().endsWith(`/g/${target}/t/${id}`),
	    `moved, now at ${page.url()}`);
	await html(page, 'the moved thread');
	await shot('moved');
}

await browse({ base, artefacts, prefix: 'moderate', lang }, check,
    scenario);
process.exit(failures.length ? 1 : 0);
