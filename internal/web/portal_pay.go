package web

import (
	"net/http"

	"settle/internal/apperr"
	"settle/internal/money"
	"settle/internal/obs"
	"settle/internal/service"
	"settle/internal/store"
)

// The portal's online payments (service/online.go): a page listing what
// can be paid now — the next installment of each plan, the plan's payoff
// with its early-payment discount, each open invoice outside a plan, the
// whole balance — each a form that makes the provider's hosted page and
// sends the browser there (303). "Pay automatically" on an active plan's
// agreement page saves a payment method the same way. None of it exists
// without a provider (the links are not shown; the pages are 404). The
// customer coming back says only "thank you, we will confirm": the
// provider's webhook records the money.

// portalPayRoutes registers the pay pages (routes.go).
func (s *Server) portalPayRoutes() {
	m := s.mux
	m.HandleFunc("GET /portal/{token}/pay", s.portal(s.portalPay))
	m.HandleFunc("POST /portal/{token}/pay", s.portal(s.portalPayStart))
	m.HandleFunc("POST /portal/{token}/autopay/{plan}", s.portal(s.portalAutopayStart))
}

// payOptionView is one option as the page shows it.
type payOptionView struct {
	Kind, Ref   string
	Title       string
	Note        string
	Amount      money.Amount
	Unavailable string
}

type payPageView struct {
	Options []payOptionView
}

func (s *Server) payPage(r *http.Request, p *service.PortalSession, v *portalView) (*payPageView, error) {
	opts, err := s.svc.PortalPayOptions(r.Context(), p)
	if err != nil {
		return nil, err
	}
	pv := &payPageView{}
	for _, o := range opts {
		ov := payOptionView{Kind: o.Kind, Ref: o.Ref, Amount: o.Amount, Unavailable: o.Unavailable}
		switch o.Kind {
		case store.IntentInstallment:
			ov.Title = v.T("pay.installment", o.Seq)
			ov.Note = v.T("pay.installment.due", v.Date(o.DueDate))
		case store.IntentPayoff:
			ov.Title = v.T("pay.payoff")
			if o.Payoff.Discount.IsPositive() || o.Payoff.Interest.IsPositive() {
				ov.Note = v.T("pay.payoff.note", v.Money(o.Payoff.Remaining), v.Money(o.Payoff.Waived()))
			}
		case store.IntentInvoice:
			ov.Title = v.T("inv.title", o.InvoiceNumber)
			ov.Note = v.T("pay.invoice.due", v.Date(o.DueDate))
		case store.IntentBalance:
			ov.Title = v.T("pay.balance", o.Ref)
		}
		pv.Options = append(pv.Options, ov)
	}
	return pv, nil
}

func (s *Server) portalPay(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	pv, err := s.payPage(r, p, v)
	if err != nil {
		s.portalFail(w, r, v, err)
		return
	}
	switch res := r.URL.Query().Get("result"); res {
	case "paid", "autopay", "cancelled":
		v.Notice = v.T("pay.result." + res)
	}
	v.Title = v.T("pay.title")
	v.Content = pv
	s.renderPortal(w, r, http.StatusOK, "pay", v)
}

func (s *Server) portalPayStart(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	url, err := s.svc.PortalCheckout(r.Context(), p, service.PayInput{Kind: r.PostForm.Get("kind"), Ref: r.PostForm.Get("ref")})
	if err != nil {
		s.payFailed(w, r, p, v, err)
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

func (s *Server) portalAutopayStart(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	url, err := s.svc.PortalAutopaySetup(r.Context(), p, r.PathValue("plan"))
	if err != nil {
		s.payFailed(w, r, p, v, err)
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// payFailed shows the pay page again with what went wrong: an amount the
// provider cannot take (the service's reason), or the provider not
// answering (a general sentence; the error is logged without the token).
func (s *Server) payFailed(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView, err error) {
	code := apperr.CodeOf(err)
	if code == apperr.NotFound || code == apperr.Conflict {
		s.portalFail(w, r, v, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid && len(e.Fields) > 0 {
		v.Alert = v.T("pay.refused")
		if v.Lang == "en" {
			v.Alert += " " + e.Fields[0].Message
		}
	} else {
		s.log.Error("web: portal payment", "page", redactToken(r.URL.Path), "err", err, "request_id", obs.RequestID(r.Context()))
		v.Alert, status = v.T("pay.down"), http.StatusBadGateway
	}
	pv, perr := s.payPage(r, p, v)
	if perr != nil {
		s.portalFail(w, r, v, perr)
		return
	}
	v.Title = v.T("pay.title")
	v.Content = pv
	s.renderPortal(w, r, status, "pay", v)
}

func init() {
	for lang, words := range map[string]portalPhrases{"en": payEN, "de": payDE, "fr": payFR} {
		for k, w := range words {
			portalLangs[lang][k] = w
		}
	}
}

var payEN = portalPhrases{
	"pay.action":           "Pay online now",
	"pay.title":            "Pay online",
	"pay.lead":             "Choose what to pay. You pay on our payment provider's secure page and come back here.",
	"pay.installment":      "Next installment (no. %d)",
	"pay.installment.due":  "Due on %s.",
	"pay.payoff":           "Pay off your plan today",
	"pay.payoff.note":      "%s is left on your plan; paying it all today saves you %s.",
	"pay.invoice.due":      "Due on %s.",
	"pay.balance":          "Everything you owe in %s",
	"pay.button":           "Pay %s",
	"pay.unavailable":      "This amount cannot be paid online. Please pay it by bank transfer.",
	"pay.none":             "There is nothing to pay online right now.",
	"pay.back":             "Back to your account",
	"pay.refused":          "This amount cannot be paid online.",
	"pay.down":             "The payment page could not be opened. Please try again in a few minutes.",
	"pay.result.paid":      "Thank you. We will confirm your payment as soon as our payment provider tells us it went through.",
	"pay.result.autopay":   "Thank you. Once your payment method is confirmed, each installment will be paid automatically on its due date.",
	"pay.result.cancelled": "You left the payment page. Nothing was paid.",
	"pay.autopay.title":    "Pay automatically",
	"pay.autopay.lead":     "Save a card or bank account, and each installment is paid on its due date. If a payment fails, we tell you and try again after 3 and 7 days.",
	"pay.autopay.button":   "Pay automatically",
}

var payDE = portalPhrases{
	"pay.action":           "Jetzt online bezahlen",
	"pay.title":            "Online bezahlen",
	"pay.lead":             "Wählen Sie, was Sie bezahlen möchten. Sie zahlen auf der sicheren Seite unseres Zahlungsdienstleisters und kehren dann hierher zurück.",
	"pay.installment":      "Nächste Rate (Nr. %d)",
	"pay.installment.due":  "Fällig am %s.",
	"pay.payoff":           "Plan heute vollständig ablösen",
	"pay.payoff.note":      "Auf Ihrem Plan sind noch %s offen; wenn Sie heute alles zahlen, sparen Sie %s.",
	"pay.invoice.due":      "Fällig am %s.",
	"pay.balance":          "Alles, was Sie in %s schulden",
	"pay.button":           "%s bezahlen",
	"pay.unavailable":      "Dieser Betrag kann nicht online bezahlt werden. Bitte überweisen Sie ihn.",
	"pay.none":             "Derzeit gibt es nichts online zu bezahlen.",
	"pay.back":             "Zurück zu Ihrem Konto",
	"pay.refused":          "Dieser Betrag kann nicht online bezahlt werden.",
	"pay.down":             "Die Zahlungsseite konnte nicht geöffnet werden. Bitte versuchen Sie es in einigen Minuten erneut.",
	"pay.result.paid":      "Vielen Dank. Wir bestätigen Ihre Zahlung, sobald unser Zahlungsdienstleister sie uns meldet.",
	"pay.result.autopay":   "Vielen Dank. Sobald Ihre Zahlungsart bestätigt ist, wird jede Rate am Fälligkeitstag automatisch bezahlt.",
	"pay.result.cancelled": "Sie haben die Zahlungsseite verlassen. Es wurde nichts bezahlt.",
	"pay.autopay.title":    "Automatisch bezahlen",
	"pay.autopay.lead":     "Hinterlegen Sie eine Karte oder ein Bankkonto, dann wird jede Rate am Fälligkeitstag bezahlt. Schlägt eine Zahlung fehl, informieren wir Sie und versuchen es nach 3 und 7 Tagen erneut.",
	"pay.autopay.button":   "Automatisch bezahlen",
}

var payFR = portalPhrases{
	"pay.action":           "Payer en ligne maintenant",
	"pay.title":            "Payer en ligne",
	"pay.lead":             "Choisissez ce que vous payez. Vous payez sur la page sécurisée de notre prestataire de paiement, puis revenez ici.",
	"pay.installment":      "Prochaine échéance (n° %d)",
	"pay.installment.due":  "À payer le %s.",
	"pay.payoff":           "Solder votre plan aujourd'hui",
	"pay.payoff.note":      "Il reste %s sur votre plan ; en payant tout aujourd'hui, vous économisez %s.",
	"pay.invoice.due":      "À payer le %s.",
	"pay.balance":          "Tout ce que vous devez en %s",
	"pay.button":           "Payer %s",
	"pay.unavailable":      "Ce montant ne peut pas être payé en ligne. Merci de le régler par virement.",
	"pay.none":             "Il n'y a rien à payer en ligne pour le moment.",
	"pay.back":             "Retour à votre compte",
	"pay.refused":          "Ce montant ne peut pas être payé en ligne.",
	"pay.down":             "La page de paiement n'a pas pu être ouverte. Merci de réessayer dans quelques minutes.",
	"pay.result.paid":      "Merci. Nous confirmerons votre paiement dès que notre prestataire nous l'aura signalé.",
	"pay.result.autopay":   "Merci. Une fois votre moyen de paiement confirmé, chaque échéance sera payée automatiquement à sa date.",
	"pay.result.cancelled": "Vous avez quitté la page de paiement. Rien n'a été payé.",
	"pay.autopay.title":    "Payer automatiquement",
	"pay.autopay.lead":     "Enregistrez une carte ou un compte bancaire : chaque échéance sera payée à sa date. Si un paiement échoue, nous vous prévenons et réessayons après 3 et 7 jours.",
	"pay.autopay.button":   "Payer automatiquement",
}
