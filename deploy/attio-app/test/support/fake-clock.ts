import type {Clock} from "../../src/enrollment/poll-job"

// Time that moves only when the code under test sleeps: polling schedules run instantly.
export function fakeClock(start = 1_000_000): Clock & {slept: number[]} {
    let now = start
    const slept: number[] = []
    return {
        slept,
        now: () => now,
        sleep: async (ms) => {
            slept.push(ms)
            now += ms
        },
    }
}
