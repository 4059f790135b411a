import ConformFuzz
import XCTest
