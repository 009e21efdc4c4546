// Evidence: the list (metadata only), upload, and download with a reason (recorded and audited).
import { field, h, section } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { call } from "../../session.js";
import { empty, form, scroller, select, text, value } from "../../ui.js";

const KB = 1024;
const MB = 1024 * 1024;
const size = (n) => (n < KB ? `${n} B` : n < MB ? `${Math.round(n / KB)} KB` : `${(n / MB).toFixed(1)} MB`);
const label = (e) => e.description || t("case.ev.untitled", { type: e.media_type });
const COLUMNS = ["what", "type", "size", "by", "date"];
const TYPES = "image/jpeg,image/png,image/webp,application/pdf,text/plain";

export async function render(c, ctx) {
  const { items } = await call(`/cases/${c.id}/evidence`);
  return h("div", { class: "stack" },
    section(t("case.ev.title"), items.length ? [
      scroller(t("case.ev.title"), h("table", {},
        h("caption", {}, t("case.ev.caption", { n: items.length })),
        h("thead", {}, h("tr", {}, COLUMNS.map((k) => h("th", { scope: "col" }, t(`case.ev.col.${k}`))))),
        h("tbody", {}, items.map((e) => h("tr", {},
          h("th", { scope: "row" }, label(e)), h("td", {}, e.media_type), h("td", {}, size(e.size)),
          h("td", {}, t(`case.ev.by.${e.uploaded_by}`)), h("td", {}, formatDate(e.created_on))))))),
      download(c, items)] : empty("case.ev.none")),
    upload(c, ctx));
}

function download(c, items) {
  const which = select(t("case.ev.which"), items.map((e) => [e.id, `${label(e)} (${formatDate(e.created_on)})`]));
  const reason = text(t("case.ev.reason"), { rows: 2, required: true, minlength: 10, maxlength: 500 },
    t("case.ev.reason.hint"));
  return form(t("case.ev.download"), [which, reason], t("case.ev.download.submit"), async () => {
    const res = await call(`/cases/${c.id}/evidence/${value(which)}/download`,
      { method: "POST", body: { reason: value(reason) }, raw: true });
    const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "")?.[1] || "evidence";
    const url = URL.createObjectURL(await res.blob());
    const a = h("a", { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    return t("case.ev.downloaded", { name });
  }, "");
}

function upload(c, ctx) {
  const file = h("input", { type: "file", required: true, accept: TYPES, id: "ev-file" });
  const description = text(t("case.ev.description"), { maxlength: 500 });
  return section(t("case.ev.add"), form(null, [field(t("case.ev.file"), file), description],
    t("case.ev.upload"), async () => {
      const data = new FormData();
      data.append("file", file.files[0]);
      if (value(description)) data.append("description", value(description));
      await call(`/cases/${c.id}/evidence`, { method: "POST", form: data });
      return ctx.done("case.ev.uploaded");
    }, ""));
}
