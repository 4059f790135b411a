import Foundation

/// Every profile in `<repository>/checks/`, ascending: each has its fixture in `fixtures/<profile>`. A test
/// about every profile loops over these, so a new profile is covered without editing the test. A `checks/`
/// that cannot be read, or holds no profile, stops the tests: a loop over no profile would pass having
/// checked nothing.
public func profileNames(repository: URL) -> [String] {
    let folder = repository.appendingPathComponent("checks").path
    let names: [String]
    do {
        names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }
            .map { String($0.dropLast(".yaml".count)) }.sorted()
    } catch {
        preconditionFailure("cannot list the profiles in \(folder): \(error)")
    }
    precondition(!names.isEmpty, "\(folder) holds no profile")
    return names
}
