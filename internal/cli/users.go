package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"settle/internal/service"
)

func (a *App) userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage the staff who sign in to the web UI"}
	var email, role, name string
	create := &cobra.Command{
		Use:   "create --email E --role admin|agent|viewer [--name N]",
		Short: "Create a user; the password is read from stdin (one line)",
		Long: `Create a member of staff who signs in to the web UI at /login.

The password is the first line of standard input (at least 12 characters),
so that it never appears in the process list or the shell history:

  printf '%s\n' "$PASSWORD" | settle user create --email ann@example.com --role agent --name "Ann Agent"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !service.ValidRole(role) {
				return usageError{fmt.Errorf("--role %q: must be admin, agent or viewer", role)}
			}
			password, err := readPasswordLine(cmd.InOrStdin())
			if err != nil {
				return err
			}
			svc, ctx, done, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			u, err := svc.CreateUser(ctx, service.UserInput{Email: email, Name: name, Role: role, Password: password})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.Stdout, "%s %s (%s)\n", u.ID, u.Email, u.Role)
			return nil
		},
	}
	create.Flags().StringVar(&email, "email", "", "the email address they sign in with")
	create.Flags().StringVar(&role, "role", "", "admin, agent or viewer")
	create.Flags().StringVar(&name, "name", "", "their name, as the web UI shows it")
	_ = create.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("role")
	cmd.AddCommand(create)
	return cmd
}

// readPasswordLine reads one line: the password, without its line end.
func readPasswordLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageError{errors.New("no password on stdin: pipe it in, one line (at least 12 characters)")}
	}
	return line, nil
}
