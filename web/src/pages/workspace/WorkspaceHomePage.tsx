import { Card, Heading, Paragraph } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';
import { PageTitle } from '../../components/PageTitle.js';
import { hasRole, RequireRole } from '../../workspace/common.js';
import { canFollowUp } from './FollowUpPage.js';
import '../../workspace/workspace.css';

/** "Arbetsyta": the way in to the pages the session's roles may use. */
export function WorkspaceHomePage() {
  const { t } = useI18n();
  const { me } = useSession();
  const h = t.ws.home;
  const cards: { href: string; title: string; text: string }[] = [];
  if (hasRole(me, 'coordinator')) {
    cards.push({ href: '/arbetsyta/arbetslista', title: t.ws.pages.worklist, text: h.worklistText });
  }
  if (hasRole(me, 'provider')) {
    cards.push({ href: '/arbetsyta/inkorg', title: t.ws.pages.inbox, text: h.inboxText });
    cards.push({ href: '/arbetsyta/kapacitet', title: t.ws.pages.capacity, text: h.capacityText });
    cards.push({ href: '/arbetsyta/statistik', title: t.providerStats.title, text: t.providerStats.homeText });
  }
  // Analysts and admins: the national follow-up (journey 5).
  const followUp = canFollowUp(me);
  if (followUp) cards.push({ href: '/arbetsyta/uppfoljning', title: t.followUp.title, text: t.followUp.homeText });
  const content = (
    <>
      <PageTitle title={h.title}>{h.title}</PageTitle>
      <Paragraph className="lead">{h.lead}</Paragraph>
      <ul className="ws-cards">
        {cards.map((c) => (
          <li key={c.href}>
            <Card variant="default">
              <Heading level={2} data-size="xs">
                <Link href={c.href}>{c.title}</Link>
              </Heading>
              <Paragraph data-size="sm">{c.text}</Paragraph>
            </Card>
          </li>
        ))}
      </ul>
    </>
  );
  if (followUp) return content;
  return (
    <RequireRole roles={['coordinator', 'provider']} title={h.title}>
      {content}
    </RequireRole>
  );
}
