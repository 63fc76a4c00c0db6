import {defineConfig} from "vitest/config"

// The attio package ships types only: its code is Attio's runtime. The tests put small local
// fakes in its place (test/fakes/), typed against the real declarations.
const fake = (file: string) => new URL(`./test/fakes/${file}`, import.meta.url).pathname

export default defineConfig({
    resolve: {
        alias: [
            {find: /^attio$/, replacement: fake("attio.ts")},
            {find: /^attio\/client$/, replacement: fake("attio-client.ts")},
            {find: /^attio\/server$/, replacement: fake("attio-server.ts")},
        ],
    },
    test: {
        include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
        environment: "node",
        restoreMocks: true,
    },
})
