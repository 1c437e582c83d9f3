package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/store"
)

// testStagedUploads: an upload round-trips (with and without its data);
// finishing records the result once and empties the data; expired uploads
// are deleted, live ones kept.
func testStagedUploads(t *testing.T, s store.Store) {
	ctx := t.Context()
	data := append([]byte("number,amount\n"), bytes.Repeat([]byte{0, 0xff, 'x'}, 1000)...) // bytes, not text
	u := store.StagedUpload{ID: "stg_LIVE", Kind: "invoices", Filename: "inv.csv", DateFormat: "DD/MM/YYYY",
		Mapping: `{"Amount":"amount"}`, SHA256: "abc", Size: int64(len(data)), Data: data, Owner: "user:usr_1",
		Preview: []byte(`{"rows":2}`), ExpiresAt: Now.Add(time.Hour)}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertStagedUpload(ctx, &u) })
	old := store.StagedUpload{ID: "stg_OLD", Kind: "customers", SHA256: "def", Owner: "user:usr_1",
		CreatedAt: Now.Add(-2 * time.Hour), ExpiresAt: Now.Add(-time.Hour)}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertStagedUpload(ctx, &old) })

	want := u
	want.CreatedAt = Now
	get := func(id string, withData bool) (*store.StagedUpload, error) {
		var got *store.StagedUpload
		err := s.Tx(ctx, func(tx store.Tx) error {
			var err error
			got, err = tx.StagedUpload(ctx, id, withData)
			return err
		})
		return got, err
	}
	got, err := get(u.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("StagedUpload with data (-want +got):\n%s", diff)
	}
	want.Data = nil
	got, _ = get(u.ID, false)
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("StagedUpload without data (-want +got):\n%s", diff)
	}
	_, err = get("stg_NONE", false)
	wantCode(t, err, apperr.NotFound)

	// Finishing: once.
	mustTx(t, s, func(tx store.Tx) error {
		done, err := tx.FinishStagedUpload(ctx, u.ID, []byte(`{"id":"imp_1"}`))
		if err != nil || !done {
			t.Errorf("first finish: %v, %v", done, err)
		}
		done, err = tx.FinishStagedUpload(ctx, u.ID, []byte(`{"id":"imp_2"}`))
		if err != nil || done {
			t.Errorf("second finish: %v, %v; want false", done, err)
		}
		return nil
	})
	got, _ = get(u.ID, true)
	if string(got.Result) != `{"id":"imp_1"}` || len(got.Data) != 0 || got.Size != u.Size {
		t.Errorf("after finishing: result %s, %d bytes of data, size %d", got.Result, len(got.Data), got.Size)
	}

	// Clean-up: the expired one goes.
	mustTx(t, s, func(tx store.Tx) error {
		n, err := tx.DeleteExpiredStagedUploads(ctx, Now)
		if err != nil || n != 1 {
			t.Errorf("DeleteExpiredStagedUploads = %d, %v; want 1", n, err)
		}
		return nil
	})
	_, err = get(old.ID, false)
	wantCode(t, err, apperr.NotFound)
	if _, err := get(u.ID, false); err != nil {
		t.Errorf("the live upload went too: %v", err)
	}
}

// testRecentImports: newest first, limited.
func testRecentImports(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i, kind := range []string{"customers", "invoices", "payments"} {
		im := store.Import{Kind: kind, SHA256: kind, Filename: kind + ".csv", Rows: i + 1, Inserted: i, Actor: "user:usr_1",
			CreatedAt: Now.Add(time.Duration(i) * time.Minute)}
		mustTx(t, s, func(tx store.Tx) error { return tx.InsertImport(ctx, &im) })
	}
	mustTx(t, s, func(tx store.Tx) error {
		list, err := tx.RecentImports(ctx, 2)
		if err != nil {
			return err
		}
		if len(list) != 2 || list[0].Kind != "payments" || list[1].Kind != "invoices" || list[0].Rows != 3 ||
			!list[0].CreatedAt.Equal(Now.Add(2*time.Minute)) {
			t.Errorf("RecentImports(2) = %+v", list)
		}
		return nil
	})
}
