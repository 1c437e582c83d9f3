package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/civil"
)

// The expected dates below were read off a 2026/2027 calendar and the
// official holiday lists, not from rickar/cal.
func TestRollDate_Cases(t *testing.T) {
	tests := []struct {
		name    string
		country string
		roll    string
		in      string
		want    string
	}{
		// Weekends only: Saturday 2026-07-04 → Monday 07-06 / Friday 07-03.
		{"weekend_following", "", RollFollowing, "2026-07-04", "2026-07-06"},
		{"weekend_preceding", "", RollPreceding, "2026-07-04", "2026-07-03"},
		{"sunday_following", "", RollFollowing, "2026-07-05", "2026-07-06"},
		{"business_day_kept", "", RollFollowing, "2026-07-03", "2026-07-03"},
		{"roll_none_keeps_saturday", "", RollNone, "2026-07-04", "2026-07-04"},

		// US: Independence Day 2026 is Saturday July 4, observed Friday
		// July 3. Following: Sat 4 → Sun 5 → Mon 6. Preceding: Sat 4 →
		// Fri 3 (observed holiday) → Thu 2.
		{"us_july4_following", "US", RollFollowing, "2026-07-04", "2026-07-06"},
		{"us_july4_preceding", "US", RollPreceding, "2026-07-04", "2026-07-02"},
		{"us_july3_observed_following", "US", RollFollowing, "2026-07-03", "2026-07-06"},
		// Thanksgiving is the 4th Thursday of November: Nov 1 2026 is a
		// Sunday, so Nov 26. The Friday after is not a federal holiday.
		{"us_thanksgiving", "US", RollFollowing, "2026-11-26", "2026-11-27"},
		// Jan 1 2028 is a Saturday, observed Friday Dec 31 2027, in the
		// year before: Fri 31 → Sat → Sun → Mon 2028-01-03.
		{"us_new_year_observed_in_december", "US", RollFollowing, "2027-12-31", "2028-01-03"},

		// GB (England and Wales bank holidays): Christmas 2026 is Friday
		// Dec 25; Boxing Day is Saturday Dec 26, so the substitute bank
		// holiday is Monday Dec 28.
		{"gb_boxing_day_following", "GB", RollFollowing, "2026-12-26", "2026-12-29"},
		{"gb_boxing_day_preceding", "GB", RollPreceding, "2026-12-26", "2026-12-24"},
		{"gb_substitute_day", "GB", RollFollowing, "2026-12-28", "2026-12-29"},
		// Easter Sunday 2026 is April 5: Good Friday April 3, Easter
		// Monday April 6.
		{"gb_good_friday_following", "GB", RollFollowing, "2026-04-03", "2026-04-07"},
		{"gb_good_friday_preceding", "GB", RollPreceding, "2026-04-03", "2026-04-02"},
		// Last Monday of August 2026: Aug 31 (Summer bank holiday).
		{"gb_summer_bank_holiday", "GB", RollFollowing, "2026-08-31", "2026-09-01"},
		// US Independence Day is no holiday in GB: Friday July 3 stays.
		{"gb_july3_kept", "GB", RollPreceding, "2026-07-03", "2026-07-03"},

		// DE: Labour Day, Friday 2026-05-01 → Monday 05-04.
		{"de_labour_day", "DE", RollFollowing, "2026-05-01", "2026-05-04"},
		// JP: Culture Day, Tuesday 2026-11-03 → Wednesday 11-04.
		{"jp_culture_day", "JP", RollFollowing, "2026-11-03", "2026-11-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := calendarFor(tt.country)
			if err != nil {
				t.Fatal(err)
			}
			if got := rollDate(c, tt.roll, date(t, tt.in)).String(); got != tt.want {
				t.Errorf("roll %s %s in %q = %s, want %s", tt.roll, tt.in, tt.country, got, tt.want)
			}
		})
	}
}

// Every supported country knows New Year's Day: Friday 2027-01-01 rolls
// to Monday 2027-01-04 everywhere, while weekends only keep it.
func TestCalendarFor_NewYear(t *testing.T) {
	want := []string{"AU", "CA", "DE", "ES", "FR", "GB", "IE", "IT", "JP", "NL", "US"}
	if diff := cmp.Diff(want, countries()); diff != "" {
		t.Errorf("countries (-want +got):\n%s", diff)
	}
	for _, country := range want {
		t.Run(country, func(t *testing.T) {
			c, err := calendarFor(country)
			if err != nil {
				t.Fatal(err)
			}
			if got := rollDate(c, RollFollowing, date(t, "2027-01-01")).String(); got != "2027-01-04" {
				t.Errorf("New Year 2027 rolls to %s, want 2027-01-04", got)
			}
		})
	}
	c, _ := calendarFor("")
	if got := rollDate(c, RollFollowing, date(t, "2027-01-01")).String(); got != "2027-01-01" {
		t.Errorf("weekends only: 2027-01-01 rolls to %s", got)
	}
	if _, err := calendarFor("BR"); err == nil || !strings.Contains(err.Error(), `"BR"`) {
		t.Errorf("unknown country: %v", err)
	}
}

func TestQuote_Roll(t *testing.T) {
	tests := []struct {
		name  string
		terms Terms
		want  []row
	}{
		{
			// Monthly from Mon 2026-05-04: Jun 4 is a Thursday, Jul 4 a
			// Saturday (observed Fri Jul 3) → Mon Jul 6. Aug 4 is a Tuesday.
			name: "us_following",
			terms: Terms{Balance: amt(t, "400.00", usd), Start: date(t, "2026-05-04"), Frequency: Monthly, Installments: 4,
				Roll: RollFollowing, Country: "US"},
			want: []row{dr("2026-05-04", "100.00"), dr("2026-06-04", "100.00"), dr("2026-07-06", "100.00"),
				dr("2026-08-04", "100.00")},
		},
		{
			// Preceding: Jul 4 (Sat) → Jul 3 (observed) → Thu Jul 2.
			name: "us_preceding",
			terms: Terms{Balance: amt(t, "400.00", usd), Start: date(t, "2026-05-04"), Frequency: Monthly, Installments: 4,
				Roll: RollPreceding, Country: "US"},
			want: []row{dr("2026-05-04", "100.00"), dr("2026-06-04", "100.00"), dr("2026-07-02", "100.00"),
				dr("2026-08-04", "100.00")},
		},
		{
			// Weekends only, the same dates: Jul 4 → Fri Jul 3.
			name: "weekends_only_preceding",
			terms: Terms{Balance: amt(t, "400.00", usd), Start: date(t, "2026-05-04"), Frequency: Monthly, Installments: 4,
				Roll: RollPreceding},
			want: []row{dr("2026-05-04", "100.00"), dr("2026-06-04", "100.00"), dr("2026-07-03", "100.00"),
				dr("2026-08-04", "100.00")},
		},
		{
			// The rolled date does not move the next ones: monthly on the
			// 26th from Sat 2026-12-26 (GB): Dec 26 → Tue Dec 29 (Mon 28 is
			// the Boxing Day substitute); Jan 26 2027 is a Tuesday; Feb 26 a
			// Friday.
			name: "gb_following_anchor_kept",
			terms: Terms{Balance: amt(t, "300.00", usd), Start: date(t, "2026-12-26"), Frequency: Monthly, Installments: 3,
				Roll: RollFollowing, Country: "GB"},
			want: []row{dr("2026-12-29", "100.00"), dr("2027-01-26", "100.00"), dr("2027-02-26", "100.00")},
		},
		{
			// The down payment rolls too: Sat 2026-07-04 → Mon Jul 6 (US);
			// then Aug 4 (Tue), Sep 4 (Fri).
			name: "down_payment_rolled",
			terms: Terms{Balance: amt(t, "300.00", usd), Start: date(t, "2026-07-04"), Frequency: Monthly, Installments: 2,
				DownPayment: amt(t, "100.00", usd), Roll: RollFollowing, Country: "US"},
			want: []row{{Due: "2026-07-06", Amount: "100.00", Principal: "100.00", Interest: "0.00", Down: true},
				dr("2026-08-04", "100.00"), dr("2026-09-04", "100.00")},
		},
		{
			// Explicit dates roll as well: Good Friday 2026-04-03 (GB) → Tue Apr 7.
			name: "explicit_dates",
			terms: Terms{Balance: amt(t, "200.00", usd), Dates: []civil.Date{date(t, "2026-04-03"), date(t, "2026-05-05")},
				Roll: RollFollowing, Country: "GB"},
			want: []row{dr("2026-04-07", "100.00"), dr("2026-05-05", "100.00")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustQuote(t, tt.terms)
			if diff := cmp.Diff(tt.want, rowsOf(t, s)); diff != "" {
				t.Errorf("schedule (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQuote_RollErrors(t *testing.T) {
	tests := []struct {
		name    string
		terms   Terms
		message string
	}{
		{
			// Sat Jul 4 and Mon Jul 6 both roll to Mon Jul 6.
			name: "collision",
			terms: Terms{Balance: amt(t, "200.00", usd), Dates: []civil.Date{date(t, "2026-07-04"), date(t, "2026-07-06")},
				Roll: RollFollowing, Country: "US"},
			message: "rolling 2026-07-06 to the following business day gives 2026-07-06, not after the previous due date 2026-07-06",
		},
		{
			// Preceding from Sat Jul 4 with Jul 4 as "today" gives Thu Jul 2: in the past.
			name: "before_as_of",
			terms: Terms{Balance: amt(t, "200.00", usd), Start: date(t, "2026-07-04"), Frequency: Monthly, Installments: 2,
				AsOf: date(t, "2026-07-04"), Roll: RollPreceding, Country: "US"},
			message: "rolling 2026-07-04 to the preceding business day gives 2026-07-02, before 2026-07-04",
		},
		{
			// The down payment on Fri 2026-04-03 (Good Friday, GB) rolls
			// past the first regular date, Mon Apr 6 (Easter Monday), which
			// rolls to Tue Apr 7 too.
			name: "down_payment_collision",
			terms: Terms{Balance: amt(t, "200.00", usd), Start: date(t, "2026-04-03"), DownPayment: amt(t, "100.00", usd),
				Dates: []civil.Date{date(t, "2026-04-06")}, Roll: RollFollowing, Country: "GB"},
			message: "not after the previous due date 2026-04-07",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Quote(tt.terms)
			if diff := cmp.Diff([]string{"roll"}, fieldsOf(t, err)); diff != "" {
				t.Fatalf("fields (-want +got):\n%s\nerror: %v", diff, err)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not contain %q", err, tt.message)
			}
		})
	}
}
