/** An error as an OpenAI-compatible client expects it: status, headers and the `{ error: {...} }` envelope. */
export interface OpenAiErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
}
