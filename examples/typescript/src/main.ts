// Lists models, uploads a file and retrieves it, with openapi-fetch typed by the types generated from the spec.
// Run: OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=sk-test-org-a node dist/examples/typescript/src/main.js
import createClient from "openapi-fetch";
import type { components, paths } from "../../../generated/typescript/openapi.js";

type OpenAIFile = components["schemas"]["OpenAIFile"];

declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

const baseUrl = process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1";
const apiKey = process.env.OPENAI_API_KEY;
if (!apiKey) {
  console.error("set OPENAI_API_KEY");
  process.exit(2);
}

const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` } });

const models = await client.GET("/models");
if (models.error) throw new Error(`list models: ${models.error.error.message}`);
for (const model of models.data.data.slice(0, 3)) {
  console.log(`model ${model.id} (owned by ${model.owned_by})`);
}

const training = '{"prompt": "Say this is a test", "completion": " This is a test"}\n';
const uploaded = await client.POST("/files", {
  body: { file: training, purpose: "fine-tune" },
  bodySerializer(body) {
    const form = new FormData();
    form.append("purpose", body.purpose);
    form.append("file", new Blob([String(body.file)], { type: "application/octet-stream" }), "train.jsonl");
    return form;
  },
});
if (uploaded.error) throw new Error(`upload: ${uploaded.error.error.message}`);
const file: OpenAIFile = uploaded.data;
console.log(`uploaded ${file.id}: ${file.filename}, ${file.bytes} bytes`);

const retrieved = await client.GET("/files/{file_id}", { params: { path: { file_id: file.id } } });
if (retrieved.error) throw new Error(`retrieve: ${retrieved.error.error.message}`);
console.log(`retrieved ${retrieved.data.id}: purpose ${retrieved.data.purpose}, created ${retrieved.data.created_at}`);
