// Entry point `nestjs-deepseek-pool/testing`: helpers for tests of code that uses the pool (reviewed in
// etc/testing.api.md). Tests over real HTTP use the DeepSeek mock, `nestjs-deepseek-pool-mock`.
export { ScriptedTransport, type ScriptedReply, completion, deepseekError } from './scripted-transport.js';
