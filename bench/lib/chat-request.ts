/** The chat request every suite sends: one short user message to a non-thinking model. */
export const CHAT_REQUEST = {
  model: 'deepseek-chat',
  messages: [{ role: 'user' as const, content: 'Hello, how are you?' }],
};
