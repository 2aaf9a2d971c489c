/// When to try a lost server again: exponential backoff with jitter, as a value. Time is an input
/// (milliseconds on any monotonic clock); the value only says when the next attempt is due.
///
/// The delay after the n-th failure in a row is `initial · 2ⁿ⁻¹`, capped at `maximum`, then scaled by
/// a factor from 0.5 to 1 drawn from a seeded generator, so a fleet of shippers that lost the same
/// server does not reconnect in lockstep when it comes back.
public struct ReconnectBackoff: Sendable {
    /// The delay after the first failure, in milliseconds.
    public let initialDelay: Int64
    /// The longest delay, in milliseconds.
    public let maximumDelay: Int64
    /// Failures since the last success.
    public private(set) var failures = 0
    /// When the current run of failures began; nil while connected.
    public private(set) var failingSince: Int64?
    /// When the next attempt may be made; nil when one may be made at once.
    public private(set) var nextAttempt: Int64?
    private var random: SplitMix64

    /// Creates a policy.
    /// - Parameters:
    ///   - initialDelay: milliseconds after the first failure (default 100).
    ///   - maximumDelay: the cap, milliseconds (default 5,000).
    ///   - seed: seeds the jitter (the process id does for tools; tests pick one).
    public init(initialDelay: Int64 = 100, maximumDelay: Int64 = 5_000, seed: UInt64 = 1) {
        self.initialDelay = max(1, initialDelay)
        self.maximumDelay = max(self.initialDelay, maximumDelay)
        random = SplitMix64(seed: seed)
    }

    /// Whether an attempt may be made at `now`.
    public func mayAttempt(at now: Int64) -> Bool {
        nextAttempt.map { now >= $0 } ?? true
    }

    /// Milliseconds from `now` until an attempt may be made (0 when it may be made now).
    public func delay(at now: Int64) -> Int64 {
        max(0, (nextAttempt ?? now) - now)
    }

    /// Records a failed attempt (or a lost connection) at `now`.
    /// - Returns: the delay, in milliseconds, before the next attempt.
    @discardableResult
    public mutating func recordFailure(at now: Int64) -> Int64 {
        if failingSince == nil { failingSince = now }
        failures += 1
        let shift = min(failures - 1, 30)
        let base = min(maximumDelay, initialDelay << Int64(shift))
        let delay = base / 2 + Int64(random.nextUnit() * Double(base - base / 2))
        nextAttempt = now + delay
        return delay
    }

    /// Records a successful connection: the next failure starts from the initial delay again.
    public mutating func recordSuccess() {
        failures = 0
        failingSince = nil
        nextAttempt = nil
    }

    /// How long the current run of failures has lasted at `now`, in milliseconds (0 while connected).
    public func failingFor(at now: Int64) -> Int64 {
        failingSince.map { now - $0 } ?? 0
    }
}
