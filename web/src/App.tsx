import { useLocation, pageFor, pathParam } from './router.js';
import { Layout } from './components/Layout.js';
import { StartPage } from './pages/StartPage.js';
import { DirectoryPage } from './pages/DirectoryPage.js';
import { WaitingTimesPage } from './pages/WaitingTimesPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { AboutPage } from './pages/AboutPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { WorkspaceHomePage } from './pages/workspace/WorkspaceHomePage.js';
import { WorkListPage } from './pages/workspace/WorkListPage.js';
import { NewCasePage } from './pages/workspace/NewCasePage.js';
import { CasePage } from './pages/workspace/CasePage.js';
import { InboxPage } from './pages/workspace/InboxPage.js';
import { RequestPage } from './pages/workspace/RequestPage.js';
import { CapacityPage } from './pages/workspace/CapacityPage.js';
import { FollowUpPage } from './pages/workspace/FollowUpPage.js';
import { ProviderStatisticsPage } from './pages/workspace/ProviderStatisticsPage.js';
import { RightsPage } from './pages/patient/RightsPage.js';
import { AskForCarePage } from './pages/patient/AskForCarePage.js';
import { ReceiptPage } from './pages/patient/ReceiptPage.js';
import { MyCasesPage } from './pages/patient/MyCasesPage.js';
import { SupportPage } from './pages/SupportPage.js';
import { SupportArticlePage } from './pages/SupportArticlePage.js';
import { StatisticsPage } from './pages/StatisticsPage.js';
import { OpenDataPage } from './pages/OpenDataPage.js';

export function App() {
  const { path } = useLocation();
  const page = pageFor(path);
  return (
    <Layout page={page}>
      {page === 'start' && <StartPage />}
      {page === 'directory' && <DirectoryPage />}
      {page === 'waitingTimes' && <WaitingTimesPage />}
      {page === 'login' && <LoginPage />}
      {page === 'about' && <AboutPage />}
      {page === 'notFound' && <NotFoundPage />}
      {page === 'workspace' && <WorkspaceHomePage />}
      {page === 'worklist' && <WorkListPage />}
      {page === 'newCase' && <NewCasePage />}
      {page === 'case' && <CasePage key={pathParam(path)} id={pathParam(path)} />}
      {page === 'inbox' && <InboxPage />}
      {page === 'request' && <RequestPage key={pathParam(path)} id={pathParam(path)} />}
      {page === 'capacity' && <CapacityPage />}
      {page === 'followUp' && <FollowUpPage />}
      {page === 'providerStats' && <ProviderStatisticsPage />}
      {page === 'rights' && <RightsPage />}
      {page === 'askCare' && <AskForCarePage />}
      {page === 'receipt' && <ReceiptPage key={pathParam(path)} id={pathParam(path)} />}
      {page === 'myCases' && <MyCasesPage />}
      {page === 'support' && <SupportPage />}
      {page === 'supportArticle' && <SupportArticlePage key={pathParam(path)} slug={pathParam(path)} />}
      {page === 'statistics' && <StatisticsPage />}
      {page === 'openData' && <OpenDataPage />}
    </Layout>
  );
}
