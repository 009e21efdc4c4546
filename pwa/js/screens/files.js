// Evidence files: a warning about what files can reveal, and uploads to the case through the inbox.
import { api, explain } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

export const ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,text/plain";

export const fileWarning = () => h("p", { class: "note" }, t("files.warning"));

// Uploads the files not sent yet; `uploads` (one entry per file) says which are done. Each is sent on its own,
// so one refused file does not stop the others.
export async function uploadFiles(files, token, onChange, uploads = []) {
  const result = files.map((f, i) => uploads[i] || { name: f.name, done: false });
  for (const [i, file] of files.entries()) {
    if (result[i].done) continue;
    result[i].error = null;
    onChange(result);
    const form = new FormData();
    form.append("file", file);
    try {
      await api("/inbox/evidence", { method: "POST", form, token });
      result[i].done = true;
    } catch (err) {
      result[i].error = explain(err);
    }
    onChange(result);
  }
  return result;
}
