//go:build !unix

package bench

import "os"

// peakRSSMB is unknown here (no rusage): 0.
func peakRSSMB(*os.ProcessState) float64 { return 0 }

// selfPeakRSSMB is unknown here: 0.
func selfPeakRSSMB() float64 { return 0 }
