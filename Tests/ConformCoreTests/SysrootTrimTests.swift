import ConformCore
import Foundation
import XCTest

/// `Sysroot.read` trims ASCII padding from the bytes and leaves other Unicode to Foundation: the text is the
/// same as Foundation's trimming of the whole file gives.
final class SysrootTrimTests: XCTestCase {
    func testReadTrimsExactlyAsFoundationDoes() throws {
        let padding = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{0}"))
        let texts = [
            "", " ", "\n", "0\n\0", "\0\0", "  always [madvise] never\n", "a b", "\t\r\n x \u{0B}\u{0C}",
            "\u{00A0}nbsp\u{00A0}", "\u{0085}nel\n", "x\u{2028}", "\u{3000} ideographic \n", "é\n", "\n\u{00A0}\n",
            "0-71\n", "model name\t: Intel(R) Xeon(R) CPU E5-2697 v4 @ 2.30GHz\n\n",
        ]
        for text in texts {
            let sysroot = Sysroot(files: ["f": Data(text.utf8)], shownAs: "/memory")
            XCTAssertEqual(try sysroot.read("f"), text.trimmingCharacters(in: padding), "\(Array(text.unicodeScalars))")
        }
        // Bytes that are not UTF-8 read as Foundation's decoding of them, trimmed the same way.
        let broken = Data([0x20, 0xFF, 0x41, 0x0A])
        XCTAssertEqual(
            try Sysroot(files: ["f": broken], shownAs: "/memory").read("f"),
            String(decoding: broken, as: UTF8.self).trimmingCharacters(in: padding))
    }
}
