import Foundation

/// The validity period of an X.509 certificate in PEM form (RFC 5280 §4.1.2.5), read from its DER without a
/// TLS library.
///
/// An API server that refuses an expired client certificate ends the TLS session, and libcurl says only
/// "Failed sending data to the peer": this is how conform names the certificate instead.
public struct CertificateValidity: Sendable, Equatable {
    public var notBefore: Date
    public var notAfter: Date

    public init(notBefore: Date, notAfter: Date) {
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// The first certificate of a PEM bundle; `nil` when it is not one.
    public init?(pem: Data) {
        let text = String(decoding: pem, as: UTF8.self)
        guard let begin = text.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = text.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<text.endIndex),
            let der = Data(
                base64Encoded: String(text[begin.upperBound..<end.lowerBound]), options: .ignoreUnknownCharacters)
        else { return nil }
        // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
        // signature, issuer, validity SEQUENCE { notBefore, notAfter }, … }, … }
        var reader = DERReader(bytes: [UInt8](der))
        guard var certificate = reader.enter(0x30), var tbs = certificate.enter(0x30) else { return nil }
        if tbs.peekTag == 0xA0 { _ = tbs.skip() }
        for _ in 0..<3 { guard tbs.skip() else { return nil } }
        guard var validity = tbs.enter(0x30), let notBefore = validity.time(), let notAfter = validity.time() else {
            return nil
        }
        self.init(notBefore: notBefore, notAfter: notAfter)
    }

    /// Why the certificate cannot be valid at `date`, or `nil` when it is.
    public func problem(at date: Date = Date()) -> String? {
        let formatter = ISO8601DateFormatter()
        if date > notAfter { return "expired on \(formatter.string(from: notAfter))" }
        if date < notBefore {
            return "is not valid until \(formatter.string(from: notBefore)) (is this machine's clock right?)"
        }
        return nil
    }
}

/// Reads DER's tag-length-value items one after another.
private struct DERReader {
    var bytes: ArraySlice<UInt8>

    init(bytes: [UInt8]) {
        self.bytes = bytes[...]
    }

    init(slice: ArraySlice<UInt8>) {
        bytes = slice
    }

    var peekTag: UInt8? { bytes.first }

    /// The next item's tag and content, consumed.
    mutating func next() -> (tag: UInt8, content: ArraySlice<UInt8>)? {
        guard bytes.count >= 2 else { return nil }
        let tag = bytes[bytes.startIndex]
        var index = bytes.startIndex + 1
        var length = Int(bytes[index])
        index += 1
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count >= 1, count <= 4, bytes.endIndex - index >= count else { return nil }
            length = bytes[index..<index + count].reduce(0) { $0 << 8 | Int($1) }
            index += count
        }
        guard bytes.endIndex - index >= length else { return nil }
        let content = bytes[index..<index + length]
        bytes = bytes[(index + length)...]
        return (tag, content)
    }

    mutating func enter(_ tag: UInt8) -> DERReader? {
        guard let item = next(), item.tag == tag else { return nil }
        return DERReader(slice: item.content)
    }

    mutating func skip() -> Bool { next() != nil }

    /// A UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
    mutating func time() -> Date? {
        guard let item = next(), item.tag == 0x17 || item.tag == 0x18 else { return nil }
        let text = String(decoding: item.content, as: UTF8.self)
        let yearDigits = item.tag == 0x17 ? 2 : 4
        guard text.hasSuffix("Z"), text.count == yearDigits + 11 else { return nil }
        let digits = Array(text.dropLast())
        func number(_ start: Int, _ count: Int) -> Int? { Int(String(digits[start..<start + count])) }
        guard var year = number(0, yearDigits), let month = number(yearDigits, 2),
            let day = number(yearDigits + 2, 2), let hour = number(yearDigits + 4, 2),
            let minute = number(yearDigits + 6, 2), let second = number(yearDigits + 8, 2)
        else { return nil }
        if yearDigits == 2 { year += year < 50 ? 2000 : 1900 }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar.date(
            from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }
}
