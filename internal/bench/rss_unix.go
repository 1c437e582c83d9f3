//go:build unix

package bench

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSSMB is a finished process's peak resident set in MB (10^6 bytes).
// ru_maxrss is in KiB on Linux and the BSDs, in bytes on macOS.
func peakRSSMB(ps *os.ProcessState) float64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return maxrssMB(ru.Maxrss)
}

// selfPeakRSSMB is this process's peak resident set in MB. On Linux a
// child's maxrss can include it: the memory of the spawning process at
// exec time is counted.
func selfPeakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return maxrssMB(ru.Maxrss)
}

func maxrssMB(maxrss int64) float64 {
	bytes := float64(maxrss) * 1024
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		bytes = float64(maxrss)
	}
	return bytes / 1e6
}
