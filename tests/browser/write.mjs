// Browser test of writing from the web: Debian's chromium driven by
// playwright-core, JavaScript off as for a reader who disabled it. Signs
// in through the form, starts a topic with a preview first, follows the
// publishing page to the thread, replies through a post's Reply link, and
// saves screenshots. Usage:
//   node write.mjs BASE_URL ARTEFACT_DIR LANG DIR EMAIL PASSWORD SLUG
// Exit status 0 when every check passed.
import { browse, checker } from './browse.mjs';

const [base, artefacts, lang, dir, email, password, slug] =
    process.argv.slice(2);
const { failures, check } = checker(lang);

await browse({ base, artefacts, prefix: 'write', lang, acceptLanguage: lang },
    check, async (page, shot) => {
	await page.goto(base + '/login');
	await page.fill('#email', email);
	await page.fill('#password', password);
	await Promise.all([page.waitForNavigation(),
	    page.click('form.form button[type=submit]')]);

	await page.goto(base + `/g/${slug}`);
	const link = await page.$(`a[href="/g/${slug}/new"]`);
	check(link !== null, 'the group page offers a new topic');
	await Promise.all([page.waitForNavigation(), link.click()]);
	const html = await page.$eval('html', e => [e.lang, e.dir]);
	check(html[0] === lang && html[1] === dir,
	    `<html lang="${lang}" dir="${dir}"> (${html})`);
	const tdir = await page.$eval('#body', e => e.getAttribute('dir'));
	check(tdir === 'auto', 'the text area follows its text (dir=auto)');
	const subject = lang === 'ar' ? 'اجتماع الفريق' : 'Réunion d’équipe';
	const text = lang === 'ar' ? 'مرحبا **بالجميع**\n\nسطر ثان' :
	    'Bonjour **à tous**\n\nDeuxième ligne';
	await page.fill('#subject', subject);
	await page.fill('#body', text);
	await Promise.all([page.waitForNavigation(),
	    page.click('button[name=preview]')]);
	const strong = await page.$eval('.preview .body strong',
	    e => e.textContent).catch(() => null);
	check(strong === (lang === 'ar' ? 'بالجميع' : 'à tous'),
	    `the preview renders the Markdown (${strong})`);
	check(await page.$eval('#body', e => e.value) === text,
	    'the text is kept in the form after a preview');
	await shot('preview');
	await Promise.all([page.waitForNavigation(),
	    page.click('button[name=publish]')]);
	await page.waitForURL(/\/t\/\d+(#p\d+)?$/, { timeout: 20000 });
	check(/\/t\/\d+#p\d+$/.test(page.url()), `at the post (${page.url()})`);
	const h1 = await page.$eval('h1', e => e.textContent);
	check(h1 === subject, `the thread is titled as typed (${h1})`);
	await shot('thread');

	const reply = await page.$(`article.post .actions a[href$="/reply"]`);
	check(reply !== null, 'a Reply link under the post');
	await Promise.all([page.waitForNavigation(), reply.click()]);
	await page.fill('#body', lang === 'ar' ? 'موافق.' : 'D’accord.');
	await Promise.all([page.waitForNavigation(),
	    page.click('button[name=publish]')]);
	await page.waitForURL(/\/t\/\d+#p\d+$/, { timeout: 20000 });
	const posts = await page.$$eval('article.post', a => a.length);
	check(posts === 2, `the reply is in the thread (${posts} posts)`);
	await shot('reply');
});
process.exit(failures.length ? 1 : 0);
