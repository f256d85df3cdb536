import type { EmulatedJob, EmulatedSigner, Notification } from "./jobs";

/** The person side's HTML: small server-rendered pages, every value escaped. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1f1f1f}header{border-bottom:3px solid #e32d22;margin-bottom:1.5rem}
h1{font-size:1.5rem}.muted{color:#666;font-size:.9rem}button{font-size:1rem;padding:.6rem 1.4rem;margin-right:.8rem;border-radius:4px;border:1px solid #333;cursor:pointer}
button.primary{background:#e32d22;color:#fff;border-color:#e32d22}form{display:inline}li{margin:.3rem 0}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;font-size:.9rem}</style>
</head><body><header><p class="muted">Posten signering — emulator (test only / kun for test)</p></header>${body}</body></html>`;
}

export function signerPage(
  job: EmulatedJob,
  documentLink: (index: number) => string,
  actionLink: (action: "sign" | "reject") => string,
): string {
  const documents = job.documents
    .map((document, index) => `<li><a href="${escapeHtml(documentLink(index))}" target="_blank">${escapeHtml(document.title)}</a></li>`)
    .join("");
  return page(
    job.title,
    `<h1>${escapeHtml(job.title)}</h1>${job.description ? `<p>${escapeHtml(job.description)}</p>` : ""}
<p class="muted">From organization ${escapeHtml(job.sender)} · Fra virksomhet ${escapeHtml(job.sender)}</p>
<h2>Documents · Dokumenter</h2><ul>${documents}</ul>
<form method="post" action="${escapeHtml(actionLink("sign"))}"><button class="primary" type="submit">Sign</button></form>
<form method="post" action="${escapeHtml(actionLink("reject"))}"><button type="submit">Reject</button></form>
<p class="muted">Sign = Signer, Reject = Avvis. No electronic ID is needed in the emulator.</p>`,
  );
}

export function messagePage(title: string, message: string, status = ""): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${status ? `<p class="muted">${escapeHtml(status)}</p>` : ""}`,
  );
}

export function portalLoginPage(): string {
  return page(
    "Posten signering portal",
    `<h1>Sign documents · Signer dokumenter</h1>
<form method="get" action="/portal/jobs"><label for="identifier">National identity number, e-mail or mobile number · Fødselsnummer, e-post eller mobilnummer</label><br>
<input id="identifier" name="identifier" required style="font-size:1rem;padding:.4rem;width:20rem;margin:.6rem 0"><br><button class="primary" type="submit">Log in</button></form>`,
  );
}

export interface PortalEntry {
  job: EmulatedJob;
  signer: EmulatedSigner;
}

export function portalJobsPage(
  identifier: string,
  entries: PortalEntry[],
  documentLink: (entry: PortalEntry, index: number) => string,
  actionLink: (entry: PortalEntry, action: "sign" | "reject") => string,
): string {
  const rows = entries
    .map((entry) => {
      const documents = entry.job.documents
        .map((document, index) => `<a href="${escapeHtml(documentLink(entry, index))}" target="_blank">${escapeHtml(document.title)}</a>`)
        .join(", ");
      return `<section aria-label="${escapeHtml(entry.job.title)}"><h2>${escapeHtml(entry.job.title)}</h2>${entry.job.description ? `<p>${escapeHtml(entry.job.description)}</p>` : ""}<p>${documents}</p>
<form method="post" action="${escapeHtml(actionLink(entry, "sign"))}"><button class="primary" type="submit">Sign</button></form>
<form method="post" action="${escapeHtml(actionLink(entry, "reject"))}"><button type="submit">Reject</button></form></section>`;
    })
    .join("");
  return page(
    "Your documents",
    `<h1>Documents to sign · Dokumenter til signering</h1><p class="muted">Logged in as ${escapeHtml(identifier)}</p>${rows || "<p>Nothing to sign right now. · Ingenting å signere nå.</p>"}`,
  );
}

export function outboxPage(notifications: Notification[]): string {
  const rows = notifications
    .map(
      (notification) =>
        `<tr><td>${escapeHtml(new Date(notification.at).toISOString())}</td><td>${notification.channel}</td><td>${escapeHtml(notification.to)}</td><td>${escapeHtml(notification.text)}</td><td><a href="${escapeHtml(notification.link)}">open</a></td></tr>`,
    )
    .join("");
  return page(
    "Outbox",
    `<h1>Outbox · Utsendte varsler</h1><p class="muted">E-mail and SMS notifications the service would have sent.</p><table><thead><tr><th>Time</th><th>Channel</th><th>To</th><th>Text</th><th>Link</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

export function indexPage(): string {
  return page(
    "Posten signering emulator",
    `<h1>Posten signering emulator</h1><ul><li><a href="/portal">Portal: sign as a portal signer</a></li><li><a href="/outbox">Outbox: notifications sent</a></li></ul>`,
  );
}
