import Testing

import LogPipe

@Suite("Compression formats: told by their magic numbers")
struct CompressionFormatTests {
    @Test(
        arguments: [
            ([0x1F, 0x8B, 0x08, 0x00], CompressionFormat.gzip),
            (Array("BZh91AY&SY".utf8), .bzip2),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00], .xz),
            ([0x28, 0xB5, 0x2F, 0xFD, 0x24], .zstd),
        ] as [([UInt8], CompressionFormat)])
    func magicNumbersAreRecognized(bytes: [UInt8], format: CompressionFormat) {
        #expect(CompressionFormat.detect(bytes) == format)
    }

    @Test(
        arguments: [
            Array("192.0.2.1 - - [23/Nov/2026:20:00:00 +0000] \"GET / HTTP/1.1\" 200 5".utf8), Array("BZh".utf8),
            Array("BZhx".utf8), [0x1F], [0xFD, 0x37, 0x7A, 0x58, 0x5A], [], Array("#Fields: date time".utf8),
        ] as [[UInt8]])
    func logsAndShortOrWrongMagicAreNotCompressed(bytes: [UInt8]) {
        #expect(CompressionFormat.detect(bytes) == nil)
    }

    @Test func namesAreOnlyAGuess() {
        #expect(CompressionFormat.guess(fromName: "access.log.2.gz") == .gzip)
        #expect(CompressionFormat.guess(fromName: "a.bz2") == .bzip2)
        #expect(CompressionFormat.guess(fromName: "a.xz") == .xz)
        #expect(CompressionFormat.guess(fromName: "a.zst") == .zstd)
        #expect(CompressionFormat.guess(fromName: "access.log") == nil)
        #expect(CompressionFormat.guess(fromName: "gz") == nil)
    }

    /// The file comes on standard input: no file name is ever part of the command.
    @Test func theCommandReadsStandardInput() {
        for format in CompressionFormat.allCases {
            #expect(format.command == [format.rawValue, "-d", "-c"])
        }
    }

    @Test func aDecompressorsEndSaysWhetherTheLogIsComplete() {
        #expect(CompressionFormat.gzip.verdict(.exited(0)) == .complete)
        #expect(CompressionFormat.gzip.verdict(.exited(1)) == .failed)
        #expect(CompressionFormat.gzip.verdict(.exited(2)) == .completeWithWarning)
        #expect(CompressionFormat.xz.verdict(.exited(2)) == .completeWithWarning)
        #expect(CompressionFormat.bzip2.verdict(.exited(2)) == .failed)
        #expect(CompressionFormat.zstd.verdict(.exited(2)) == .failed)
        #expect(CompressionFormat.gzip.verdict(.signalled(9)) == .failed)
        #expect(CompressionFormat.gzip.verdict(.notStarted("ENOENT")) == .failed)
    }
}
