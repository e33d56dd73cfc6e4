import { useLocation, pageFor } from './router.js';
import { Layout } from './components/Layout.js';
import { StartPage } from './pages/StartPage.js';
import { DirectoryPage } from './pages/DirectoryPage.js';
import { WaitingTimesPage } from './pages/WaitingTimesPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { AboutPage } from './pages/AboutPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';

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
    </Layout>
  );
}
