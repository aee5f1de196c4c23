// Client setup snippets for this hub's address. hubBase() is where the UI itself is served (the
// proxy routes /v1/… live beside it), without a trailing slash, so a sub-path behind a reverse
// proxy is kept.

export function hubBase() {
  return new URL('.', location.href).href.replace(/\/$/, '');
}

export const KEY_PLACEHOLDER = 'sk-your-cchub-key';

export function claudeShell(base, key = KEY_PLACEHOLDER) {
  return `export ANTHROPIC_BASE_URL=${base}\nexport ANTHROPIC_AUTH_TOKEN=${key}\nclaude`;
}

export function claudePowerShell(base, key = KEY_PLACEHOLDER) {
  return `$env:ANTHROPIC_BASE_URL = "${base}"\n$env:ANTHROPIC_AUTH_TOKEN = "${key}"\nclaude`;
}

export function claudeSettings(base, key = KEY_PLACEHOLDER) {
  return JSON.stringify({ env: { ANTHROPIC_BASE_URL: base, ANTHROPIC_AUTH_TOKEN: key } }, null, 2);
}

export function codexToml(base) {
  return `# ~/.codex/config.toml
model_provider = "cchub"
model = "gpt-5-codex"

[model_providers.cchub]
name = "cchub"
base_url = "${base}/v1"
wire_api = "responses"
env_key = "CCHUB_API_KEY"`;
}

export function codexEnv(key = KEY_PLACEHOLDER) {
  return `export CCHUB_API_KEY=${key}\ncodex`;
}

export function anthropicSDK(base, key = KEY_PLACEHOLDER) {
  return `# Python
from anthropic import Anthropic
client = Anthropic(base_url="${base}", api_key="${key}")

// TypeScript
import Anthropic from "@anthropic-ai/sdk";
const client = new Anthropic({ baseURL: "${base}", apiKey: "${key}" });`;
}

export function openaiSDK(base, key = KEY_PLACEHOLDER) {
  return `# Python
from openai import OpenAI
client = OpenAI(base_url="${base}/v1", api_key="${key}")

// TypeScript
import OpenAI from "openai";
const client = new OpenAI({ baseURL: "${base}/v1", apiKey: "${key}" });`;
}

export function curlTest(base, key = KEY_PLACEHOLDER) {
  return `curl ${base}/v1/messages \\
  -H "x-api-key: ${key}" \\
  -H "anthropic-version: 2023-06-01" \\
  -H "content-type: application/json" \\
  -d '{"model":"claude-sonnet-4-6","max_tokens":64,"messages":[{"role":"user","content":"say hi"}]}'`;
}
