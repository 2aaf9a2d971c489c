import LogPipe

/// Random edits of a well-formed input, for the hostile-input tests: a failing input reproduces from
/// its seed, since every draw comes from the project's `SplitMix64` (the tests' only generator).
///
/// Each call applies one to `maximumEdits` edits, each chosen by weight among `edits`. Tokens are the
/// bytes and fragments that steer a mutation into the decisions of the code under test.
public struct ByteMutator: Sendable {
    /// One kind of edit at a random position.
    public enum Edit: Sendable {
        /// The byte there becomes a random byte.
        case randomByte
        /// The byte there becomes the first byte of a random token.
        case tokenByte
        /// The first byte of a random token is inserted.
        case insertTokenByte
        /// A whole random token is inserted.
        case insertToken
        /// A digit there becomes another digit (other bytes are left alone).
        case digit
        /// One to `n` bytes from there are removed.
        case delete(upTo: Int)
        /// Everything from there on is cut off.
        case truncate
        /// Everything from there on is replaced by the tail of a random splice source.
        case splice
    }

    public var tokens: [[UInt8]]
    public var edits: [(edit: Edit, weight: Int)]
    public var maximumEdits: Int
    /// Inputs whose tails `.splice` grafts on.
    public var spliceSources: [[UInt8]]

    /// - Parameters:
    ///   - tokens: bytes and fragments inserted by the token edits (at least one).
    ///   - edits: the edits with their relative weights.
    ///   - maximumEdits: the most edits one mutation makes (at least 1).
    ///   - spliceSources: the inputs `.splice` takes tails from.
    public init(
        tokens: [[UInt8]], edits: [(edit: Edit, weight: Int)], maximumEdits: Int, spliceSources: [[UInt8]] = []
    ) {
        precondition(!tokens.isEmpty && !edits.isEmpty && maximumEdits >= 1)
        self.tokens = tokens
        self.edits = edits
        self.maximumEdits = maximumEdits
        self.spliceSources = spliceSources
    }

    /// `input` after one to `maximumEdits` random edits. An edit that needs a byte at the end of the
    /// input inserts a token's first byte instead.
    public func mutate(_ input: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var line = input
        let totalWeight = edits.reduce(0) { $0 + $1.weight }
        for _ in 0..<(1 + random.next(below: maximumEdits)) {
            let position = random.next(below: line.count + 1)
            var draw = random.next(below: totalWeight)
            var chosen = edits[edits.count - 1].edit
            for (edit, weight) in edits {
                if draw < weight {
                    chosen = edit
                    break
                }
                draw -= weight
            }
            let atByte = position < line.count
            switch chosen {
            case .randomByte where atByte:
                line[position] = UInt8(truncatingIfNeeded: random.next())
            case .tokenByte where atByte:
                line[position] = tokens[random.next(below: tokens.count)].first ?? 0x20
            case .digit where atByte:
                if line[position] &- UInt8(ascii: "0") < 10 {
                    line[position] = UInt8(ascii: "0") + UInt8(random.next(below: 10))
                }
            case .insertToken:
                line.insert(contentsOf: tokens[random.next(below: tokens.count)], at: position)
            case .delete(let most) where atByte:
                line.removeSubrange(position..<min(line.count, position + 1 + random.next(below: max(1, most))))
            case .truncate:
                line = Array(line.prefix(position))
            case .splice where !spliceSources.isEmpty:
                let other = spliceSources[random.next(below: spliceSources.count)]
                let cut = random.next(below: other.count + 1)
                line = Array(line.prefix(position)) + other[cut...]
            default:
                line.insert(tokens[random.next(below: tokens.count)].first ?? 0x20, at: position)
            }
        }
        return line
    }
}
