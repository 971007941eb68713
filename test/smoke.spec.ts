import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import CircuitBreaker from 'opossum';
import { request } from 'undici';

@Injectable()
class Foo {
  hi() {
    return 'hi';
  }
}
@Injectable()
class Bar {
  constructor(readonly foo: Foo) {}
}
@Module({ providers: [Foo, Bar], exports: [Bar] })
class M {}

describe('smoke', () => {
  it('boots nest', async () => {
    const mod = await Test.createTestingModule({ imports: [M] }).compile();
    expect(mod.get(Bar).foo.hi()).toBe('hi');
    const b = new CircuitBreaker(() => Promise.resolve(1), {});
    expect(await b.fire()).toBe(1);
    b.shutdown();
    jest.useFakeTimers();
    let x = 0;
    setTimeout(() => x++, 1000);
    jest.advanceTimersByTime(1000);
    expect(x).toBe(1);
    jest.useRealTimers();
    expect(typeof request).toBe('function');
  });
});
