import TestSupport
import Testing
import TinyTalkAPI

/// The property that matters most for a streaming client: the reply (its exact bytes, how it
/// ended, its sources) does not depend on how the network happened to cut the body into chunks.
@Suite("Split invariance", .cpuBound)
struct SplitInvarianceTests {
    static let seeds: [UInt64] = [1, 2, 3, 0x5EED, 0xDEAD_BEEF, 0x0123_4567_89AB_CDEF]

    // MARK: The fixtures say what they claim

    @Test("Fed whole, every fixture yields exactly what its generator put in", arguments: FixtureName.allCases)
    func wholeBodyMatchesGenerator(_ name: FixtureName) throws {
        let fixture = name.fixture
        #expect(!fixture.expected.text.isEmpty)
        let (result, chunks) = StreamDecoding.decode(fixture.body, .whole)
        #expect(chunks == 1)
        #expect(result.difference(from: fixture.expected) == nil)
    }

    @Test("The fixtures cover what they are meant to cover")
    func fixturesCoverTheirCases() {
        func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
            let needle = Array(needle.utf8)
            guard needle.count <= haystack.count else { return false }
            for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
                if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
            }
            return false
        }
        let unicode = FixtureName.unicode.fixture.expected.text
        for needle in ["𝄞", "😀", "👩‍👩‍👧‍👦", "🇯🇵", "e\u{301}", "日本語", "مرحبا", "שלום", "\"quoted\"", "back\\slash", "\n"] {
            #expect(contains(unicode, needle), "unicode fixture lacks \(needle.debugDescription)")
        }
        let escaped = FixtureName.unicodeEscaped.fixture
        #expect(contains(escaped.expected.text, "😀") && contains(escaped.expected.text, "👩‍👩‍👧‍👦"))
        // Astral characters travel as surrogate-pair escapes in the escaped fixture.
        #expect(contains(escaped.body, #"\ud83d\ude00"#) || contains(escaped.body, #"\uD83D\uDE00"#))

        #expect(FixtureName.byteOrderMarkCRLF.fixture.body.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(contains(FixtureName.byteOrderMarkCRLF.fixture.body, "\r\n\r\n"))
        let loneCR = FixtureName.loneCR.fixture.body
        #expect(loneCR.contains(0x0D) && !loneCR.contains(0x0A))
        let mixed = FixtureName.mixedLineEnds.fixture.body
        let crlf = zip(mixed, mixed.dropFirst()).filter { $0 == 0x0D && $1 == 0x0A }.count
        let lf = mixed.filter { $0 == 0x0A }.count - crlf
        let cr = mixed.filter { $0 == 0x0D }.count - crlf
        #expect(crlf > 20 && lf > 20 && cr > 20, "mixed fixture has \(crlf) CRLF, \(lf) LF, \(cr) CR")

        let mebibyte = FixtureName.oneMebibyteDelta.fixture.expected
        #expect(mebibyte.deltaCount == 1 && mebibyte.text.count >= 1 << 20)
        let many = FixtureName.hundredThousandDeltas.fixture.expected
        #expect(many.deltaCount == 100_000)

        #expect(FixtureName.errorEventMidStream.fixture.expected.end == .failure("The upstream model is overloaded, try again"))
        #expect(FixtureName.errorChunkMidStream.fixture.expected.end == .failure("Rate limit reached for gpt-4o-mini"))
        #expect(FixtureName.truncatedMidLine.fixture.expected.end == .truncated)
        #expect(FixtureName.truncatedBeforeBlankLine.fixture.expected.end == .truncated)
        #expect(FixtureName.citationsTypedData.fixture.expected.citations == StreamFixtures.sources)
        #expect(FixtureName.plainLF.fixture.expected.end == .done)
    }

    // MARK: Chunkings

    @Test("One byte at a time", arguments: FixtureName.allCases)
    func oneByteAtATime(_ name: FixtureName) {
        let fixture = name.fixture
        let (result, chunks) = StreamDecoding.decode(fixture.body, .oneByteAtATime)
        // A failure stops the reading early, so fewer chunks than bytes is expected then.
        if case .failure = fixture.expected.end {} else { #expect(chunks == fixture.body.count) }
        #expect(result.difference(from: fixture.expected) == nil)
    }

    @Test("Random small pieces (1…64 bytes)", arguments: FixtureName.small, seeds)
    func randomSmallPieces(_ name: FixtureName, seed: UInt64) {
        let fixture = name.fixture
        let (result, _) = StreamDecoding.decode(fixture.body, .random(seed: seed, sizes: 1...64))
        #expect(result.difference(from: fixture.expected) == nil)
    }

    @Test("Random tiny pieces (1…3 bytes), where CR LF pairs and UTF-8 sequences split most", arguments: FixtureName.small, seeds)
    func randomTinyPieces(_ name: FixtureName, seed: UInt64) {
        let fixture = name.fixture
        let (result, _) = StreamDecoding.decode(fixture.body, .random(seed: seed, sizes: 1...3))
        #expect(result.difference(from: fixture.expected) == nil)
    }

    @Test("Random large pieces", arguments: FixtureName.small, seeds.prefix(3))
    func randomLargePieces(_ name: FixtureName, seed: UInt64) {
        let fixture = name.fixture
        let (result, _) = StreamDecoding.decode(fixture.body, .random(seed: seed, sizes: 65...4_096))
        #expect(result.difference(from: fixture.expected) == nil)
    }

    @Test("Every split into two pieces (sampled for the longer fixtures)", arguments: FixtureName.small)
    func everyTwoPieceSplit(_ name: FixtureName) {
        let fixture = name.fixture
        let body = fixture.body
        // Small fixtures: every offset. Longer ones (tens of kilobytes): a cut after each of the
        // first 400 bytes, then 400 offsets drawn at random, half of them next to a CR, LF or
        // multi-byte character, which keeps a debug-build run well under a second.
        var cuts: [Int]
        if body.count <= 4_096 {
            cuts = Array(1..<body.count)
        } else {
            var rng = SplitMix64(seed: UInt64(body.count))
            let interesting = body.indices.filter { body[$0] == 0x0D || body[$0] == 0x0A || body[$0] >= 0x80 }
            cuts = Array(1...400)
            for _ in 0..<200 { cuts.append(rng.next(in: 1...(body.count - 1))) }
            for _ in 0..<200 { cuts.append(max(1, min(body.count - 1, rng.pick(interesting) + rng.next(in: 0...1)))) }
        }
        var failures: [String] = []
        for cut in cuts {
            let (result, _) = StreamDecoding.decode(body, .cuts([cut]))
            if let difference = result.difference(from: fixture.expected) {
                failures.append("cut at \(cut): \(difference)")
                if failures.count == 5 { break }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("Big fixtures in random pieces", arguments: FixtureName.big, [
        Chunking.random(seed: 7, sizes: 1...64),
        Chunking.random(seed: 8, sizes: 1...64),
        Chunking.random(seed: 9, sizes: 4_096...262_144),
    ])
    func bigFixturesInRandomPieces(_ name: FixtureName, chunking: Chunking) {
        let fixture = name.fixture
        let (result, _) = StreamDecoding.decode(fixture.body, chunking)
        #expect(result.difference(from: fixture.expected) == nil)
    }

    @Test("A split inside every kind of UTF-8 sequence and line end")
    func cutsAtEveryInterestingOffset() {
        // Cut the unicode fixture right after every byte that starts a multi-byte character or
        // is a CR, all at once: a many-piece chunking aimed at the boundaries that matter.
        let fixture = FixtureName.unicode.fixture
        var cuts: [Int] = []
        for (offset, byte) in fixture.body.enumerated() where byte >= 0xC0 || byte == 0x0D || byte == 0xEF {
            cuts.append(offset + 1)
        }
        #expect(cuts.count > 1_000)
        let (result, chunks) = StreamDecoding.decode(fixture.body, .cuts(cuts))
        #expect(chunks > 1_000)
        #expect(result.difference(from: fixture.expected) == nil)
    }
}
