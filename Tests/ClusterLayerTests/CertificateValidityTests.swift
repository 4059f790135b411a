import ClusterLayer
import Foundation
import XCTest

final class CertificateValidityTests: XCTestCase {
    /// `openssl req -x509 -days 40000`: a v3 certificate whose notAfter (2136) is a GeneralizedTime.
    let longLived = """
        -----BEGIN CERTIFICATE-----
        MIIBdjCCARugAwIBAgIUBU74NkWXaDP/aKj2DMsybOjFaVcwCgYIKoZIzj0EAwIw
        DzENMAsGA1UEAwwEbG9uZzAgFw0yNjEyMDEyMDM0MzZaGA8yMTM2MDYwNzIwMzQz
        NlowDzENMAsGA1UEAwwEbG9uZzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABM3m
        mfXKncMAh88QgQDtwaE2CrbmqjguZpe24DogWv47mLcmMzKVK+Bsgel/s8Of0grQ
        pADLKsCfkIYtyupumSyjUzBRMB0GA1UdDgQWBBTO3cHxWpfvAupZEHlMz92KsuXm
        rTAfBgNVHSMEGDAWgBTO3cHxWpfvAupZEHlMz92KsuXmrTAPBgNVHRMBAf8EBTAD
        AQH/MAoGCCqGSM49BAMCA0kAMEYCIQChgWuuo/3NTaAR8QdRIkbesMmScMXRq4E5
        OU0mEQEJdAIhAIHkXJ9irCIhcHmCfH/BMZrfz2OJse8tITg3JEtuXjy9
        -----END CERTIFICATE-----
        """

    /// `openssl x509 -req -days -1`: a v1 certificate (no version field) that expired a day before it began.
    let expired = """
        -----BEGIN CERTIFICATE-----
        MIIBHjCBxQIURuJp7LRkwjRlBoPn5Hgc7TlxlnowCgYIKoZIzj0EAwIwEjEQMA4G
        A1UEAwwHZXhwaXJlZDAeFw0yNjEyMDEyMDM0MzZaFw0yNjExMzAyMDM0MzZaMBIx
        EDAOBgNVBAMMB2V4cGlyZWQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATN5pn1
        yp3DAIfPEIEA7cGhNgq25qo4LmaXtuA6IFr+O5i3JjMylSvgbIHpf7PDn9IK0KQA
        yyrAn5CGLcrqbpksMAoGCCqGSM49BAMCA0gAMEUCIB2oRvwBSrxmp95Brd2jbyyn
        cXW027vO+BEa7/aquyvcAiEA85RDLCD72KJRE6ARjdcJlOeHfdDnGB1ak71sKfmy
        Q0s=
        -----END CERTIFICATE-----
        """

    func date(_ text: String) throws -> Date {
        try XCTUnwrap(ISO8601DateFormatter().date(from: text))
    }

    func testBothTimeEncodingsAreRead() throws {
        let long = try XCTUnwrap(CertificateValidity(pem: Data(longLived.utf8)))
        XCTAssertEqual(long.notBefore, try date("2026-12-01T20:34:36Z"))
        XCTAssertEqual(long.notAfter, try date("2136-06-07T20:34:36Z"))
        let old = try XCTUnwrap(CertificateValidity(pem: Data(expired.utf8)))
        XCTAssertEqual(old.notAfter, try date("2026-11-30T20:34:36Z"))
    }

    func testWhatIsWrongAtADate() throws {
        let validity = try XCTUnwrap(CertificateValidity(pem: Data(longLived.utf8)))
        XCTAssertNil(validity.problem(at: try date("2030-01-01T00:00:00Z")))
        XCTAssertEqual(validity.problem(at: try date("2137-01-01T00:00:00Z")), "expired on 2136-06-07T20:34:36Z")
        XCTAssertEqual(
            validity.problem(at: try date("2020-01-01T00:00:00Z")),
            "is not valid until 2026-12-01T20:34:36Z (is this machine's clock right?)")
    }

    func testWhatIsNotACertificateIsNil() {
        XCTAssertNil(
            CertificateValidity(pem: Data("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----".utf8)))
        XCTAssertNil(
            CertificateValidity(pem: Data("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----".utf8)))
        XCTAssertNil(CertificateValidity(pem: Data()))
    }
}
