/// Whether a text contains any of a set of strings, ignoring ASCII case, in one pass over the text:
/// an Aho-Corasick automaton (Aho and Corasick, "Efficient string matching", CACM 1975) compiled
/// into a table of transitions.
///
/// `--exclude-agent bots` asks 84 substrings of every user agent; searching for each in turn
/// would cost 84 scans of the agent, this one scan with one table look-up per byte, however
/// many strings there are. Bytes are first mapped to classes (every byte that appears in no string
/// is class 0, which always leads back to the start), so the table has one row per state and one
/// column per distinct byte of the strings.
struct SubstringAutomaton: Sendable {
    /// The class of each byte value; upper-case ASCII letters share their lower-case letter's class.
    private let classOf: [UInt8]
    /// Columns in `transitions`: the distinct bytes of the strings, plus class 0.
    private let classCount: Int
    /// `transitions[row + class]`, where `row` is a state's first entry (`state * classCount`): the
    /// next state's row, with `acceptingBit` set when reaching it means some string ended at the
    /// current byte. Rows rather than state numbers, and the flag in the entry, leave one load, one
    /// test and one add per byte of text.
    private let transitions: [UInt32]

    /// The flag of an entry of `transitions` that leads to an accepting state.
    private static let acceptingBit: UInt32 = 1 << 31

    /// The automaton of `strings` (each non-empty; ASCII letters in either case).
    init(_ strings: [[UInt8]]) {
        var classOf = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        for string in strings {
            for byte in string.map(GlobPattern.lowercased) where classOf[Int(byte)] == 0 {
                classOf[Int(byte)] = UInt8(classCount)
                classCount += 1
            }
        }
        for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") { classOf[Int(upper)] = classOf[Int(upper | 0x20)] }

        // The trie: children by class, and whether a string ends at each node.
        var children: [[Int: Int]] = [[:]]
        var ends: [Bool] = [false]
        for string in strings where !string.isEmpty {
            var node = 0
            for byte in string {
                let byteClass = Int(classOf[Int(byte)])
                if let child = children[node][byteClass] {
                    node = child
                } else {
                    children.append([:])
                    ends.append(false)
                    children[node][byteClass] = children.count - 1
                    node = children.count - 1
                }
            }
            ends[node] = true
        }

        // Breadth first, so that a node's failure state is complete before its children need it.
        let stateCount = children.count
        var transitions = [UInt32](repeating: 0, count: stateCount * classCount)
        var failure = [Int](repeating: 0, count: stateCount)
        var accepting = ends
        var queue: [Int] = []
        for byteClass in 0..<classCount {
            if let child = children[0][byteClass] {
                transitions[byteClass] = UInt32(child)
                queue.append(child)
            }
        }
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            accepting[node] = accepting[node] || accepting[failure[node]]
            for byteClass in 0..<classCount {
                let fallback = transitions[failure[node] * classCount + byteClass]
                if let child = children[node][byteClass] {
                    failure[child] = Int(fallback)
                    transitions[node * classCount + byteClass] = UInt32(child)
                    queue.append(child)
                } else {
                    transitions[node * classCount + byteClass] = fallback
                }
            }
        }
        // Entries become rows, flagged when they lead to an accepting state.
        for index in transitions.indices {
            let target = Int(transitions[index])
            transitions[index] = UInt32(target * classCount) | (accepting[target] ? Self.acceptingBit : 0)
        }
        self.classOf = classOf
        self.classCount = classCount
        self.transitions = transitions
    }

    /// Whether `text` contains one of the strings.
    func containsAny(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let bytes = text.baseAddress else { return false }
        let count = text.count
        return transitions.withUnsafeBufferPointer { transitions in
            classOf.withUnsafeBufferPointer { classOf in
                // Every entry is a row of the table and every class below `classCount`: in bounds.
                guard let table = transitions.baseAddress, let classes = classOf.baseAddress else { return false }
                var row = 0
                var index = 0
                while index < count {
                    let entry = table[row &+ Int(classes[Int(bytes[index])])]
                    if entry & Self.acceptingBit != 0 { return true }
                    row = Int(entry)
                    index &+= 1
                }
                return false
            }
        }
    }
}
