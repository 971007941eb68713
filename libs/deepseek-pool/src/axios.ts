// Entry point `nestjs-deepseek-pool/axios`: the only file whose types need @nestjs/axios (an optional peer).
export { HttpServiceTransport } from './http-service.transport.js';
