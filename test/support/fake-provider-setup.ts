// vitest globalSetup of the workers project: one fake model provider (a Node HTTP server
// speaking the Anthropic and OpenAI wire formats) for every test file; tests reach it over
// HTTP from inside workerd and script it per test (test/fakes/model-provider.ts).
import type { TestProject } from "vitest/node";
import { startFakeProvider } from "../fakes/model-provider.ts";

declare module "vitest" {
  export interface ProvidedContext {
    fakeProviderUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const fake = await startFakeProvider();
  project.provide("fakeProviderUrl", fake.url);
  return () => fake.close();
}
