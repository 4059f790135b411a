import Foundation

/// Blocking requests made at once, a thread each: a pool the size of the machine's cores would make six
/// requests to a server that never answers cost three timeouts on a two-core host, not one.
enum Concurrently {
    static func run(_ jobs: [@Sendable () -> Void]) {
        let group = DispatchGroup()
        for job in jobs {
            group.enter()
            Thread.detachNewThread {
                job()
                group.leave()
            }
        }
        group.wait()
    }
}
