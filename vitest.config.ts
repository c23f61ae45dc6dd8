import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Forest training and the notebook runs are CPU-heavy; on a 2-core machine give them room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
