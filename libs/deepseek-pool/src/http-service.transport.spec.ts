import 'reflect-metadata';
import { HttpModule, HttpService } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import { HttpServiceTransport } from './http-service.transport.js';
import { describeTransportContract } from './transport/transport-contract.fixture.js';

// Through an AbortHandle, as the pool sends: the transport reads `signal`, which the handle then builds.
for (const through of ['signal', 'handle'] as const)
  describeTransportContract(
    'HttpServiceTransport',
    async () => {
      const moduleRef = await Test.createTestingModule({ imports: [HttpModule] }).compile();
      return {
        transport: new HttpServiceTransport(moduleRef.get(HttpService)),
        dispose: () => moduleRef.close(),
      };
    },
    through,
  );
