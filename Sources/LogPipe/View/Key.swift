/// A key press that means something to the dashboard.
public enum Key: Sendable, Equatable {
    /// `q`, `Q` or Ctrl-C.
    case quit
    /// `p`: freeze or unfreeze the display.
    case pause
    /// `?` or `h`: show or hide the key help.
    case help
    /// A lone Escape: close the help.
    case escape
    /// Tab: cycle the top list.
    case nextTopList
    /// Up arrow or `k`: newer history entries.
    case up
    /// Down arrow or `j`: older history entries.
    case down
    /// Page Up.
    case pageUp
    /// Page Down.
    case pageDown
    /// Home or `g`: the newest entry.
    case home
    /// End or `G`: the oldest entry.
    case end
    /// Anything else.
    case other

    /// Decodes the bytes of one read from the terminal into keys, ANSI/VT cursor-key sequences
    /// (`ESC [ A`, `ESC O A`, `ESC [ 5 ~`) included. A sequence cut by the end of the read is dropped:
    /// keys are read in small bursts, and a lost arrow is harmless.
    public static func decode(_ bytes: [UInt8]) -> [Key] {
        var keys: [Key] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte == 0x1B else {
                keys.append(single(byte))
                continue
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "[") || bytes[index] == UInt8(ascii: "O") else {
                keys.append(.escape)
                continue
            }
            index += 1
            // CSI parameters are digits and ';'; the final byte is in 0x40...0x7E.
            var parameters = ""
            while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x3F {
                parameters.unicodeScalars.append(Unicode.Scalar(bytes[index]))
                index += 1
            }
            guard index < bytes.count else { break }
            let final = bytes[index]
            index += 1
            keys.append(sequence(parameters: parameters, final: final))
        }
        return keys
    }

    private static func single(_ byte: UInt8) -> Key {
        switch byte {
        case UInt8(ascii: "q"), UInt8(ascii: "Q"), 0x03: return .quit
        case UInt8(ascii: "p"), UInt8(ascii: "P"), UInt8(ascii: " "): return .pause
        case UInt8(ascii: "?"), UInt8(ascii: "h"): return .help
        case 0x09: return .nextTopList
        case UInt8(ascii: "k"): return .up
        case UInt8(ascii: "j"): return .down
        case UInt8(ascii: "g"): return .home
        case UInt8(ascii: "G"): return .end
        default: return .other
        }
    }

    private static func sequence(parameters: String, final: UInt8) -> Key {
        switch (parameters, final) {
        case (_, UInt8(ascii: "A")): return .up
        case (_, UInt8(ascii: "B")): return .down
        case (_, UInt8(ascii: "H")), ("1", UInt8(ascii: "~")), ("7", UInt8(ascii: "~")): return .home
        case (_, UInt8(ascii: "F")), ("4", UInt8(ascii: "~")), ("8", UInt8(ascii: "~")): return .end
        case ("5", UInt8(ascii: "~")): return .pageUp
        case ("6", UInt8(ascii: "~")): return .pageDown
        default: return .other
        }
    }
}
